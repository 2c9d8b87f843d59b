import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildServiceModel, createModelRegistry, defaultSpecsDir } from './load.js';
import { errorCode } from './model.js';

describe('model registry', () => {
  it('finds specs/ relative to the package and loads every copied model', () => {
    expect(defaultSpecsDir().endsWith('/specs')).toBe(true);
    const reg = createModelRegistry();
    for (const svc of ['sts', 'iam', 'organizations', 'cloudtrail', 's3', 'ecr']) {
      const m = reg.get(svc);
      expect(m.name).toBe(svc);
      expect(Object.keys(m.operations).length).toBeGreaterThan(5);
    }
    expect(reg.get('sts')).toBe(reg.get('sts'));
    expect(reg.has('nope')).toBe(false);
    expect(() => reg.get('../etc')).toThrow();
  });

  it('resolves shapes, traits and operations', () => {
    const iam = createModelRegistry().get('iam');
    const op = iam.operations.CreateRole;
    expect(op.http).toEqual({ method: 'POST', requestUri: '/' });
    expect(op.resultWrapper).toBe('CreateRoleResult');
    expect(op.input?.requiredSet.has('RoleName')).toBe(true);
    const roleName = op.input!.members.RoleName;
    expect(roleName.shape.type).toBe('string');
    expect(roleName.shape).toMatchObject({ min: 1, max: 64, pattern: '[\\w+=,.@-]+' });
    const tags = op.input!.members.Tags.shape;
    expect(tags.type === 'list' && tags.member.shape.name).toBe('Tag');
    expect(op.errors.map(errorCode)).toContain('EntityAlreadyExists');
    expect(iam.errorsByCode.get('NoSuchEntity')?.name).toBe('NoSuchEntityException');
    const s3 = createModelRegistry().get('s3');
    const put = s3.operations.PutObject.input!;
    expect(put.payload).toBe('Body');
    expect(put.members.Metadata).toMatchObject({ location: 'headers', locationName: 'x-amz-meta-' });
    expect(put.members.Body.streaming).toBe(true);
  });

  it('handles cycles and a custom specs dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'specs-'));
    mkdirSync(join(dir, 'demo'));
    const raw = {
      metadata: { apiVersion: '2020-01-01', endpointPrefix: 'demo', protocol: 'json', serviceId: 'Demo' },
      operations: { Op: { name: 'Op', http: { method: 'POST', requestUri: '/' }, input: { shape: 'Node' } } },
      shapes: {
        Node: { type: 'structure', members: { Children: { shape: 'Nodes' } } },
        Nodes: { type: 'list', member: { shape: 'Node' } },
      },
    };
    writeFileSync(join(dir, 'demo', 'service-2.json'), JSON.stringify(raw));
    const m = createModelRegistry(dir).get('demo');
    const node = m.operations.Op.input!;
    const kids = node.members.Children.shape;
    expect(kids.type === 'list' && kids.member.shape).toBe(node);
    expect(buildServiceModel('demo', raw as never).paginators).toEqual({});
  });

  it('memoizes derived data per model object', () => {
    const m = createModelRegistry().get('sts');
    let calls = 0;
    const op = m.operations.AssumeRole;
    expect(m.cache.get(op, 'x', () => ++calls)).toBe(1);
    expect(m.cache.get(op, 'x', () => ++calls)).toBe(1);
  });
});

describe('metadata without the model', () => {
  it('reads the same metadata as the full load, for every copied model', () => {
    const quick = createModelRegistry();
    const full = createModelRegistry();
    for (const name of readdirSync(quick.specsDir)) {
      expect(quick.metadata(name)).toEqual(full.get(name).metadata);
    }
  });
});
