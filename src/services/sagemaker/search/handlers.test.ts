/**
 * Search through its handler and authz declaration over an in-memory database, with resources inserted straight
 * into the SageMaker table as the registry and hosting areas store them (Describe-shaped documents).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../core/clock.js';
import type { RequestContext } from '../../../core/context.js';
import { AwsError } from '../../../core/errors.js';
import type { Database } from '../../../persistence/db.js';
import { runMigrations } from '../../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete backend; in production only app/ picks one
import { openSqlite } from '../../../persistence/sqlite/index.js';
import type { SearchRequest, SearchResponse } from '../api.gen.js';
import { modelPackageVersionArn, sagemakerArn, type ResourceKind } from '../domain/arns.js';
import { migrations } from '../migrations.js';
import { store } from '../store.js';
import { searchAuthz } from './authz.js';
import { searchHandlers } from './handlers.js';

const REGISTRY = '222222222222';
const DS1 = '444444444444';
const DS2 = '555555555555';
const REGION = 'us-east-1';
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const hour = 3600_000;

let db: Database;
let search: (input: SearchRequest, accountId?: string, region?: string) => Promise<SearchResponse>;

function ctxFor(accountId: string, region = REGION): RequestContext {
  return {
    requestId: 'req-1',
    service: 'sagemaker',
    operation: 'Search',
    region,
    principal: { type: 'Root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId },
    accountId,
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
    now: T0,
    secureTransport: false,
  };
}

async function put(kind: ResourceKind, arn: string, name: string, accountId: string, at: number, doc: Record<string, unknown>, extra: { policy?: string; tags?: Record<string, string>; region?: string; parent?: string } = {}) {
  await store.insert(db.kysely, {
    arn,
    kind,
    accountId,
    region: extra.region ?? REGION,
    name,
    ...(extra.parent ? { parent: extra.parent } : {}),
    createdAt: at,
    modifiedAt: at,
    doc,
    ...(extra.policy ? { policy: extra.policy } : {}),
  });
  if (extra.tags) await store.putTags(db.kysely, arn, Object.entries(extra.tags).map(([Key, Value]) => ({ Key, Value })));
}

async function group(accountId: string, name: string, at: number, extra: Parameters<typeof put>[6] = {}) {
  const region = extra.region ?? REGION;
  const arn = sagemakerArn(region, accountId, 'model-package-group', name);
  const doc = { ModelPackageGroupName: name, ModelPackageGroupArn: arn, CreationTime: iso(at), CreatedBy: {}, ModelPackageGroupStatus: 'Completed' };
  await put('model-package-group', arn, name, accountId, at, doc, extra);
  return arn;
}

async function version(accountId: string, groupName: string, n: number, at: number, status: string, image: string, tags?: Record<string, string>) {
  const arn = modelPackageVersionArn(REGION, accountId, groupName, n);
  const doc = {
    ModelPackageName: groupName,
    ModelPackageGroupName: groupName,
    ModelPackageVersion: n,
    ModelPackageArn: arn,
    CreationTime: iso(at),
    LastModifiedTime: iso(at),
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: { ValidationStatuses: [] },
    ModelApprovalStatus: status,
    InferenceSpecification: { Containers: [{ Image: image, ModelDataUrl: `s3://models/${groupName}/${n}.tar.gz` }], SupportedContentTypes: ['text/csv'] },
    ManagedStorageType: 'x',
  };
  await put('model-package', arn, `${groupName}/${n}`, accountId, at, doc, { parent: sagemakerArn(REGION, accountId, 'model-package-group', groupName), ...(tags ? { tags } : {}) });
  return arn;
}

const sharedWithDs1 = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Share',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${DS1}:root` },
      Action: ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
      Resource: [`arn:aws:sagemaker:${REGION}:${REGISTRY}:model-package-group/shared`, `arn:aws:sagemaker:${REGION}:${REGISTRY}:model-package/shared/*`],
    },
  ],
});

beforeAll(async () => {
  db = openSqlite({ file: ':memory:' });
  await runMigrations(db, migrations);
  const handlers = searchHandlers({ db, clock: fixedClock(T0), validatePolicy: () => undefined });
  search = async (input, accountId = DS1, region = REGION) => handlers.Search!(input, ctxFor(accountId, region)) as Promise<SearchResponse>;

  // DS1's own registry.
  await group(DS1, 'churn', T0 - 10 * hour, { tags: { team: 'risk' } });
  await group(DS1, 'fraud', T0 - 9 * hour, { tags: { team: 'fraud', 'sagemaker:domain-arn': 'arn:d-1' } });
  await version(DS1, 'churn', 1, T0 - 8 * hour, 'Rejected', 'xgboost:1.5');
  await version(DS1, 'churn', 2, T0 - 7 * hour, 'Approved', 'xgboost:1.7', { stage: 'prod' });
  await version(DS1, 'churn', 3, T0 - 6 * hour, 'PendingManualApproval', 'sklearn:1.2');
  await version(DS1, 'fraud', 1, T0 - 5 * hour, 'Approved', 'sklearn:1.2');
  // Another region of DS1, and another account.
  await group(DS1, 'west', T0 - 4 * hour, { region: 'us-west-2' });
  await group(DS2, 'churn', T0 - 3 * hour);
  // The registry account shares one group with DS1 and keeps one private.
  await group(REGISTRY, 'shared', T0 - 2 * hour, { policy: sharedWithDs1, tags: { secret: 'yes' } });
  await group(REGISTRY, 'private', T0 - 2 * hour);
  await version(REGISTRY, 'shared', 1, T0 - hour, 'Approved', 'xgboost:1.7', { secret: 'yes' });
  await version(REGISTRY, 'private', 1, T0 - hour, 'Approved', 'xgboost:1.7');

  // DS1 hosting: a model served by one endpoint; another model served by none.
  const modelArn = sagemakerArn(REGION, DS1, 'model', 'churn-model');
  await put('model', modelArn, 'churn-model', DS1, T0 - 3 * hour, { ModelName: 'churn-model', ModelArn: modelArn, CreationTime: iso(T0 - 3 * hour), PrimaryContainer: { Image: 'xgboost:1.7' }, ExecutionRoleArn: 'arn:aws:iam::444444444444:role/Exec' }, { tags: { team: 'risk' } });
  const idleArn = sagemakerArn(REGION, DS1, 'model', 'idle-model');
  await put('model', idleArn, 'idle-model', DS1, T0 - 2 * hour, { ModelName: 'idle-model', ModelArn: idleArn, CreationTime: iso(T0 - 2 * hour), PrimaryContainer: { Image: 'sklearn:1.2' } });
  const cfgArn = sagemakerArn(REGION, DS1, 'endpoint-config', 'churn-cfg');
  await put('endpoint-config', cfgArn, 'churn-cfg', DS1, T0 - 2 * hour, { EndpointConfigName: 'churn-cfg', EndpointConfigArn: cfgArn, CreationTime: iso(T0 - 2 * hour), ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'churn-model', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] });
  const epArn = sagemakerArn(REGION, DS1, 'endpoint', 'churn-prod');
  await put('endpoint', epArn, 'churn-prod', DS1, T0 - hour, {
    EndpointName: 'churn-prod',
    EndpointArn: epArn,
    EndpointConfigName: 'churn-cfg',
    EndpointStatus: 'InService',
    CreationTime: iso(T0 - hour),
    LastModifiedTime: iso(T0 - hour),
    ProductionVariants: [{ VariantName: 'AllTraffic', CurrentWeight: 1, DesiredWeight: 1, CurrentInstanceCount: 1, DesiredInstanceCount: 1 }],
    LastDeploymentConfig: {},
  }, { tags: { stage: 'prod' } });

  // A training job with metrics and hyperparameters.
  const jobArn = sagemakerArn(REGION, DS1, 'training-job', 'churn-train-1');
  await put('training-job', jobArn, 'churn-train-1', DS1, T0 - 12 * hour, {
    TrainingJobName: 'churn-train-1',
    TrainingJobArn: jobArn,
    TrainingJobStatus: 'Completed',
    SecondaryStatus: 'Completed',
    HyperParameters: { eta: '0.2', max_depth: '5' },
    FinalMetricDataList: [{ MetricName: 'validation:auc', Value: 0.91, Timestamp: iso(T0 - 11 * hour) }],
    ModelArtifacts: { S3ModelArtifacts: 's3://models/churn/output/model.tar.gz' },
    CreationTime: iso(T0 - 12 * hour),
    LastModifiedTime: iso(T0 - 11 * hour),
    ProfilingStatus: 'Disabled',
  });
});
afterAll(() => db.close());

const groupNames = (out: SearchResponse) => out.Results!.map((r) => r.ModelPackageGroup!.ModelPackageGroupName);
const packageArns = (out: SearchResponse) => out.Results!.map((r) => r.ModelPackage!.ModelPackageArn);

describe('Search over the model registry', () => {
  it('finds a group by name, as the SageMaker Python SDK does before registering a version', async () => {
    const out = await search({ Resource: 'ModelPackageGroup', SearchExpression: { Filters: [{ Name: 'ModelPackageGroupName', Value: 'churn', Operator: 'Equals' }] } });
    expect(out.Results).toEqual([
      {
        ModelPackageGroup: {
          ModelPackageGroupName: 'churn',
          ModelPackageGroupArn: `arn:aws:sagemaker:${REGION}:${DS1}:model-package-group/churn`,
          CreationTime: iso(T0 - 10 * hour),
          CreatedBy: {},
          ModelPackageGroupStatus: 'Completed',
          Tags: [{ Key: 'team', Value: 'risk' }],
        },
      },
    ]);
    expect(out.TotalHits).toEqual({ Value: 1, Relation: 'EqualTo' });
    expect(out.NextToken).toBeUndefined();
  });

  it("sees only the caller's account and the request's region", async () => {
    expect(groupNames(await search({ Resource: 'ModelPackageGroup' }))).toEqual(['fraud', 'churn']);
    expect(groupNames(await search({ Resource: 'ModelPackageGroup' }, DS1, 'us-west-2'))).toEqual(['west']);
    expect(groupNames(await search({ Resource: 'ModelPackageGroup' }, DS2))).toEqual(['churn']);
    expect(groupNames(await search({ Resource: 'ModelPackageGroup', CrossAccountFilterOption: 'SameAccount' }))).toEqual(['fraud', 'churn']);
  });

  it('finds approved versions of a group, newest first', async () => {
    const out = await search({
      Resource: 'ModelPackage',
      SearchExpression: { Filters: [{ Name: 'ModelPackageGroupName', Value: 'churn' }, { Name: 'ModelApprovalStatus', Value: 'Approved' }] },
    });
    expect(packageArns(out)).toEqual([modelPackageVersionArn(REGION, DS1, 'churn', 2)]);
    const pkg = out.Results![0]!.ModelPackage!;
    expect(pkg.Tags).toEqual([{ Key: 'stage', Value: 'prod' }]);
    expect(pkg).not.toHaveProperty('ManagedStorageType');
    expect(pkg.InferenceSpecification!.Containers[0]!.Image).toBe('xgboost:1.7');
  });

  it('filters on container images, sorts by version and pages with NextToken', async () => {
    const expr = { Filters: [{ Name: 'InferenceSpecification.Containers.Image', Operator: 'Contains', Value: 'xgboost' }] };
    expect(packageArns(await search({ Resource: 'ModelPackage', SearchExpression: expr }))).toEqual([
      modelPackageVersionArn(REGION, DS1, 'churn', 2),
      modelPackageVersionArn(REGION, DS1, 'churn', 1),
    ]);
    const first = await search({ Resource: 'ModelPackage', SortBy: 'CreationTime', SortOrder: 'Ascending', MaxResults: 3 });
    expect(first.Results!.map((r) => r.ModelPackage!.ModelPackageVersion)).toEqual([1, 2, 3]);
    expect(first.TotalHits).toEqual({ Value: 4, Relation: 'EqualTo' });
    const second = await search({ Resource: 'ModelPackage', SortBy: 'CreationTime', SortOrder: 'Ascending', MaxResults: 3, NextToken: first.NextToken! });
    expect(packageArns(second)).toEqual([modelPackageVersionArn(REGION, DS1, 'fraud', 1)]);
    expect(second.NextToken).toBeUndefined();
  });

  it('refuses a NextToken of another search or another account', async () => {
    const first = await search({ Resource: 'ModelPackage', MaxResults: 1 });
    await expect(search({ Resource: 'ModelPackage', MaxResults: 1, SortBy: 'CreationTime', NextToken: first.NextToken! })).rejects.toThrow('Invalid pagination token');
    await expect(search({ Resource: 'ModelPackage', MaxResults: 1, NextToken: first.NextToken! }, DS2)).rejects.toThrow('Invalid pagination token');
    await expect(search({ Resource: 'ModelPackage', NextToken: 'nope' })).rejects.toBeInstanceOf(AwsError);
  });

  it('CrossAccount returns only what other accounts made discoverable, without their tags', async () => {
    const groups = await search({ Resource: 'ModelPackageGroup', CrossAccountFilterOption: 'CrossAccount' });
    expect(groupNames(groups)).toEqual(['shared']);
    expect(groups.Results![0]!.ModelPackageGroup!.ModelPackageGroupArn).toBe(`arn:aws:sagemaker:${REGION}:${REGISTRY}:model-package-group/shared`);
    expect(groups.Results![0]!.ModelPackageGroup).not.toHaveProperty('Tags');
    const versions = await search({ Resource: 'ModelPackage', CrossAccountFilterOption: 'CrossAccount', SearchExpression: { Filters: [{ Name: 'ModelApprovalStatus', Value: 'Approved' }] } });
    expect(packageArns(versions)).toEqual([modelPackageVersionArn(REGION, REGISTRY, 'shared', 1)]);
    expect(await search({ Resource: 'ModelPackageGroup', CrossAccountFilterOption: 'CrossAccount' }, DS2)).toMatchObject({ Results: [] });
    expect(await search({ Resource: 'Endpoint', CrossAccountFilterOption: 'CrossAccount' })).toMatchObject({ Results: [] });
  });

  it('applies visibility conditions to tags', async () => {
    const out = await search({ Resource: 'ModelPackageGroup', VisibilityConditions: [{ Key: 'Tags.sagemaker:domain-arn', Value: 'arn:d-2' }] });
    expect(groupNames(out)).toEqual(['churn']);
    await expect(search({ Resource: 'ModelPackageGroup', VisibilityConditions: [{ Key: 'team', Value: 'x' }] })).rejects.toThrow(/Tags\.<key>/);
  });

  it('refuses what AWS refuses', async () => {
    await expect(search({ Resource: 'ModelPackageGroup', SearchExpression: { Filters: [{ Name: 'ModelApprovalStatus', Value: 'Approved' }] } })).rejects.toThrow(
      'Unknown property name: ModelApprovalStatus',
    );
    await expect(search({ Resource: 'ModelPackageGroup', SortBy: 'Bogus' })).rejects.toThrow('Unknown property name: Bogus');
    await expect(search({ Resource: 'ModelPackage', SearchExpression: {} })).rejects.toThrow(/at least one/);
  });
});

describe('Search over hosting and training', () => {
  it('returns endpoints in the search shape with their tags', async () => {
    const out = await search({ Resource: 'Endpoint', SearchExpression: { Filters: [{ Name: 'Tags.stage', Value: 'prod' }] } });
    expect(out.Results).toHaveLength(1);
    const ep = out.Results![0]!.Endpoint!;
    expect(ep).toMatchObject({ EndpointName: 'churn-prod', EndpointConfigName: 'churn-cfg', EndpointStatus: 'InService', Tags: [{ Key: 'stage', Value: 'prod' }] });
    expect(ep).not.toHaveProperty('LastDeploymentConfig');
  });

  it('returns models as the model dashboard does, with the endpoints that serve them', async () => {
    const out = await search({ Resource: 'Model', SortBy: 'Model.CreationTime', SortOrder: 'Ascending' });
    expect(out.Results!.map((r) => r.Model!.Model!.ModelName)).toEqual(['churn-model', 'idle-model']);
    expect(out.Results![0]!.Model).toEqual({
      Model: {
        ModelName: 'churn-model',
        ModelArn: `arn:aws:sagemaker:${REGION}:${DS1}:model/churn-model`,
        CreationTime: iso(T0 - 3 * hour),
        PrimaryContainer: { Image: 'xgboost:1.7' },
        ExecutionRoleArn: 'arn:aws:iam::444444444444:role/Exec',
        Tags: [{ Key: 'team', Value: 'risk' }],
      },
      Endpoints: [{ EndpointName: 'churn-prod', EndpointArn: `arn:aws:sagemaker:${REGION}:${DS1}:endpoint/churn-prod`, CreationTime: iso(T0 - hour), LastModifiedTime: iso(T0 - hour), EndpointStatus: 'InService' }],
    });
    expect(out.Results![1]!.Model!.Endpoints).toEqual([]);
    const served = await search({ Resource: 'Model', SearchExpression: { Filters: [{ Name: 'Endpoints.EndpointStatus', Value: 'InService' }] } });
    expect(served.Results!.map((r) => r.Model!.Model!.ModelName)).toEqual(['churn-model']);
  });

  it('finds training jobs by metric and hyperparameter', async () => {
    const hit = await search({
      Resource: 'TrainingJob',
      SearchExpression: { Filters: [{ Name: 'Metrics.validation:auc', Operator: 'GreaterThan', Value: '0.9' }, { Name: 'HyperParameters.eta', Operator: 'LessThan', Value: '0.5' }] },
      SortBy: 'Metrics.validation:auc',
    });
    expect(hit.Results!.map((r) => r.TrainingJob!.TrainingJobName)).toEqual(['churn-train-1']);
    expect(hit.Results![0]!.TrainingJob).not.toHaveProperty('ProfilingStatus');
    expect(hit.Results![0]!.TrainingJob!.Tags).toEqual([]);
    const miss = await search({ Resource: 'TrainingJob', SearchExpression: { Filters: [{ Name: 'Metrics.validation:auc', Operator: 'GreaterThan', Value: '0.95' }] } });
    expect(miss.Results).toEqual([]);
  });

  it('answers resources mlzone does not keep with no results', async () => {
    expect(await search({ Resource: 'Pipeline', SearchExpression: { Filters: [{ Name: 'PipelineName', Value: 'p' }] } })).toEqual({ Results: [], TotalHits: { Value: 0, Relation: 'EqualTo' } });
    await expect(
      search({ Resource: 'Experiment', SearchExpression: { Filters: [{ Name: 'A', Operator: 'Contains', Value: 'x' }, { Name: 'B', Operator: 'Contains', Value: 'y' }] } }),
    ).rejects.toThrow("'CONTAINS' operator usage limit of 1 exceeded.");
  });
});

describe('Search authorization', () => {
  it('asks for sagemaker:Search on * with the visibility condition keys', async () => {
    const fn = searchAuthz.Search!;
    expect(await fn({ Resource: 'ModelPackage' }, ctxFor(DS1))).toEqual([{ action: 'sagemaker:Search', resource: '*', context: {} }]);
    expect(await fn({ Resource: 'ModelPackage', VisibilityConditions: [{ Key: 'Tags.team', Value: 'risk' }] }, ctxFor(DS1))).toEqual([
      {
        action: 'sagemaker:Search',
        resource: '*',
        context: { 'sagemaker:SearchVisibilityCondition/Tags.team': 'risk', 'sagemaker:SearchVisibilityCondition/Tags.team/EqualsIfExists': 'risk' },
      },
    ]);
  });
});
