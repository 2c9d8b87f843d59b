import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../../core/errors.js';
import { encodePageToken } from '../../../../core/pagination.js';
import { searchPage, sortValue, type Candidate } from './order.js';

const day = (d: number) => Date.UTC(2026, 0, d);
const iso = (d: number) => new Date(day(d)).toISOString();

function pkg(name: string, version: number, created: number, modified: number, extra: Record<string, unknown> = {}): Candidate {
  return {
    arn: `arn:aws:sagemaker:us-east-1:444444444444:model-package/${name}/${version}`,
    body: { ModelPackageGroupName: name, ModelPackageVersion: version, CreationTime: iso(created), LastModifiedTime: iso(modified), ...extra },
    createdAt: day(created),
    modifiedAt: day(modified),
  };
}

const a1 = pkg('a', 1, 1, 9, { Tags: [{ Key: 'rank', Value: 'b' }] });
const a2 = pkg('a', 2, 2, 3, { Tags: [{ Key: 'rank', Value: 'a' }] });
const b1 = pkg('b', 1, 3, 5);
const c1 = pkg('c', 1, 4, 7, { Tags: [{ Key: 'rank', Value: 'c' }] });
const all = [a1, a2, b1, c1];
const names = (xs: readonly Candidate[]) => xs.map((x) => x.arn.split('/').slice(1).join('/'));
const page = (xs: readonly Candidate[], req: Partial<Parameters<typeof searchPage>[2]> = {}) => searchPage('ModelPackage', xs, { scope: 's', ...req });

describe('searchPage order', () => {
  it('defaults to LastModifiedTime, descending', () => {
    expect(names(page(all).items)).toEqual(['a/1', 'c/1', 'b/1', 'a/2']);
  });

  it('sorts by any property, ascending or descending', () => {
    expect(names(page(all, { sortBy: 'CreationTime', sortOrder: 'Ascending' }).items)).toEqual(['a/1', 'a/2', 'b/1', 'c/1']);
    expect(names(page(all, { sortBy: 'ModelPackageVersion', sortOrder: 'Descending' }).items)).toEqual(['a/2', 'a/1', 'b/1', 'c/1']);
    expect(names(page(all, { sortBy: 'ModelPackageGroupName', sortOrder: 'Ascending' }).items)).toEqual(['a/1', 'a/2', 'b/1', 'c/1']);
  });

  it('breaks ties on the ARN and puts records without the property last in both orders', () => {
    expect(names(page(all, { sortBy: 'Tags.rank', sortOrder: 'Ascending' }).items)).toEqual(['a/2', 'a/1', 'c/1', 'b/1']);
    expect(names(page(all, { sortBy: 'Tags.rank', sortOrder: 'Descending' }).items)).toEqual(['c/1', 'a/1', 'a/2', 'b/1']);
  });

  it('falls back on the stored times when the record has no LastModifiedTime or CreationTime', () => {
    const groups: Candidate[] = [
      { arn: 'arn:g/x', body: { ModelPackageGroupName: 'x' }, createdAt: day(1), modifiedAt: day(5) },
      { arn: 'arn:g/y', body: { ModelPackageGroupName: 'y' }, createdAt: day(2), modifiedAt: day(3) },
    ];
    expect(searchPage('ModelPackageGroup', groups, { scope: 's' }).items.map((g) => g.arn)).toEqual(['arn:g/x', 'arn:g/y']);
    expect(searchPage('ModelPackageGroup', groups, { scope: 's', sortBy: 'CreationTime' }).items.map((g) => g.arn)).toEqual(['arn:g/y', 'arn:g/x']);
  });

  it('sorts a multi-valued property by its smallest value ascending and its largest descending', () => {
    const c = pkg('m', 1, 1, 1, { InferenceSpecification: { Containers: [{ Image: 'b' }, { Image: 'y' }] } });
    expect(sortValue('ModelPackage', c, 'InferenceSpecification.Containers.Image', false)).toEqual([2, 'b']);
    expect(sortValue('ModelPackage', c, 'InferenceSpecification.Containers.Image', true)).toEqual([2, 'y']);
    expect(sortValue('ModelPackage', c, 'Nope', true)).toEqual([3, '']);
  });

  it('sorts training jobs by a metric', () => {
    const job = (name: string, auc: number): Candidate => ({
      arn: `arn:aws:sagemaker:us-east-1:1:training-job/${name}`,
      body: { TrainingJobName: name, FinalMetricDataList: [{ MetricName: 'validation:auc', Value: auc }] },
      createdAt: 0,
      modifiedAt: 0,
    });
    const out = searchPage('TrainingJob', [job('j1', 0.7), job('j2', 0.9), job('j3', 0.8)], { scope: 's', sortBy: 'Metrics.validation:auc' });
    expect(out.items.map((j) => j.body.TrainingJobName)).toEqual(['j2', 'j3', 'j1']);
  });
});

describe('searchPage paging', () => {
  it('returns MaxResults (default 10) and a NextToken while more remain', () => {
    const many = Array.from({ length: 12 }, (_, n) => pkg('g', n + 1, 1, n + 1));
    const first = page(many);
    expect(first.items).toHaveLength(10);
    expect(first.nextToken).toBeDefined();
    const second = page(many, { nextToken: first.nextToken! });
    expect(names(second.items)).toEqual(['g/2', 'g/1']);
    expect(second.nextToken).toBeUndefined();
  });

  it('walks every record exactly once, ties included', () => {
    const tied = Array.from({ length: 7 }, (_, n) => pkg(`g${n}`, 1, 1, 1));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const p = page(tied, { maxResults: 3, ...(token ? { nextToken: token } : {}) });
      seen.push(...names(p.items));
      token = p.nextToken;
    } while (token);
    expect(seen).toEqual(names([...tied].sort((x, y) => (x.arn < y.arn ? -1 : 1))));
  });

  it('resumes after the last key even when records were added or removed between pages', () => {
    const first = page(all, { maxResults: 2 });
    expect(names(first.items)).toEqual(['a/1', 'c/1']);
    const later = [pkg('d', 1, 5, 6), ...all.filter((x) => x !== c1)];
    expect(names(page(later, { maxResults: 2, nextToken: first.nextToken! }).items)).toEqual(['d/1', 'b/1']);
  });

  it('refuses a token that is not one, or that belongs to another listing', () => {
    const first = page(all, { maxResults: 1 });
    expect(() => page(all, { nextToken: 'garbage' })).toThrow(AwsError);
    expect(() => page(all, { nextToken: first.nextToken!, scope: 'other' })).toThrow('Invalid pagination token');
    expect(() => page(all, { nextToken: encodePageToken('s', 'not json') })).toThrow('Invalid pagination token');
    expect(() => page(all, { nextToken: encodePageToken('s', '[[9,1],"x"]') })).toThrow('Invalid pagination token');
  });
});
