/**
 * SageMaker Search through the JS SDK: the model registry lookups the SageMaker Python SDK and Studio make
 * (groups by name, versions by group and approval status, images, tags), the SDK's own paginator, models,
 * groups another account made discoverable with a resource policy, AWS's refusals, and IAM on sagemaker:Search.
 *
 * Endpoints and training jobs are covered by the handler tests (src/services/sagemaker/search/handlers.test.ts):
 * creating an endpoint here would start a real container.
 */
import {
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  PutModelPackageGroupPolicyCommand,
  SageMakerClient,
  SearchCommand,
  paginateSearch,
  type SearchRecord,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, unique, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
let ds1: SageMakerClient;
let ds2: SageMakerClient;
let registry: SageMakerClient;
let prodApp: SageMakerClient;

const REGION = 'us-east-1';
const churn = unique('churn-');
const fraud = unique('fraud-');
const shared = unique('shared-');

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string }) => ({ name: e.name, message: e.message }),
  );

const client = (creds: Creds) => new SageMakerClient(clientConfig(server.url, creds));

async function register(c: SageMakerClient, group: string, status: 'Approved' | 'Rejected' | 'PendingManualApproval', image: string, tags?: Record<string, string>): Promise<string> {
  const out = await c.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ...(tags ? { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
      ModelApprovalStatus: status,
      InferenceSpecification: {
        Containers: [{ Image: image, ModelDataUrl: `s3://sagemaker-${REGION}-${accounts.dataScience1}/${group}/model.tar.gz` }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  return out.ModelPackageArn!;
}

beforeAll(async () => {
  server = await startTestServer();
  const ds1Creds = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${accounts.dataScience1}:role/DataScientist`);
  const ds2Creds = await assumeRole(server.url, users.ds2Scientist, `arn:aws:iam::${accounts.dataScience2}:role/DataScientist`);
  const adminCreds = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/Admin`);
  const prodAppCreds = await assumeRole(server.url, users.prodApp, `arn:aws:iam::${accounts.production}:role/ProdApp`);
  ds1 = client(ds1Creds);
  ds2 = client(ds2Creds);
  registry = client(adminCreds);
  prodApp = client(prodAppCreds);

  await ds1.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: churn, Tags: [{ Key: 'team', Value: 'risk' }] }));
  await ds1.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: fraud, Tags: [{ Key: 'team', Value: 'fraud' }] }));
  await register(ds1, churn, 'Rejected', 'xgboost:1.5');
  await register(ds1, churn, 'Approved', 'xgboost:1.7');
  await register(ds1, churn, 'PendingManualApproval', 'sklearn:1.2');
  await register(ds1, fraud, 'Approved', 'sklearn:1.2', { stage: 'prod' });
  await ds2.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: churn }));

  // The registry account shares one group with data-science-1 through its resource policy.
  const groupArn = (await registry.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: shared }))).ModelPackageGroupArn!;
  await registry.send(
    new PutModelPackageGroupPolicyCommand({
      ModelPackageGroupName: shared,
      ResourcePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ShareWithDs1',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${accounts.dataScience1}:root` },
            Action: ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
            Resource: [groupArn, `arn:aws:sagemaker:${REGION}:${accounts.sharedServices}:model-package/${shared}/*`],
          },
        ],
      }),
    }),
  );
  await register(registry, shared, 'Approved', 'xgboost:1.7');
});
afterAll(() => server.close());

const groupsOf = (rs: SearchRecord[] | undefined) => (rs ?? []).map((r) => r.ModelPackageGroup!.ModelPackageGroupName);
const versionsOf = (rs: SearchRecord[] | undefined) => (rs ?? []).map((r) => `${r.ModelPackage!.ModelPackageGroupName}/${r.ModelPackage!.ModelPackageVersion}`);

describe('Search over the model registry', () => {
  it('finds a group by exact name, as the Python SDK does before registering a version', async () => {
    const out = await ds1.send(
      new SearchCommand({ Resource: 'ModelPackageGroup', SearchExpression: { Filters: [{ Name: 'ModelPackageGroupName', Operator: 'Equals', Value: churn }] } }),
    );
    expect(out.Results).toHaveLength(1);
    const g = out.Results![0]!.ModelPackageGroup!;
    expect(g).toMatchObject({
      ModelPackageGroupName: churn,
      ModelPackageGroupArn: `arn:aws:sagemaker:${REGION}:${accounts.dataScience1}:model-package-group/${churn}`,
      ModelPackageGroupStatus: 'Completed',
      Tags: [{ Key: 'team', Value: 'risk' }],
    });
    expect(g.CreationTime).toBeInstanceOf(Date);
    expect(out.TotalHits).toEqual({ Value: 1, Relation: 'EqualTo' });
  });

  it("sees the caller's account only", async () => {
    const mine = await ds1.send(new SearchCommand({ Resource: 'ModelPackageGroup' }));
    expect(groupsOf(mine.Results).sort()).toEqual([churn, fraud].sort());
    const theirs = await ds2.send(new SearchCommand({ Resource: 'ModelPackageGroup' }));
    expect(groupsOf(theirs.Results)).toEqual([churn]);
    expect(theirs.Results![0]!.ModelPackageGroup!.ModelPackageGroupArn).toContain(accounts.dataScience2);
  });

  it('finds the approved versions of a group', async () => {
    const out = await ds1.send(
      new SearchCommand({
        Resource: 'ModelPackage',
        SearchExpression: { Filters: [{ Name: 'ModelPackageGroupName', Value: churn }, { Name: 'ModelApprovalStatus', Value: 'Approved' }] },
      }),
    );
    expect(versionsOf(out.Results)).toEqual([`${churn}/2`]);
    const pkg = out.Results![0]!.ModelPackage!;
    expect(pkg.InferenceSpecification!.Containers![0]!.Image).toBe('xgboost:1.7');
    expect(pkg.CreationTime).toBeInstanceOf(Date);
    expect(pkg.ModelPackageStatus).toBe('Completed');
  });

  it('combines Or subexpressions, Contains on a nested list and sorting', async () => {
    const out = await ds1.send(
      new SearchCommand({
        Resource: 'ModelPackage',
        SearchExpression: {
          Filters: [{ Name: 'InferenceSpecification.Containers.Image', Operator: 'Contains', Value: 'sklearn' }],
          SubExpressions: [{ Operator: 'Or', Filters: [{ Name: 'ModelApprovalStatus', Value: 'Approved' }, { Name: 'ModelApprovalStatus', Value: 'PendingManualApproval' }] }],
        },
        SortBy: 'ModelPackageGroupName',
        SortOrder: 'Ascending',
      }),
    );
    expect(versionsOf(out.Results)).toEqual([`${churn}/3`, `${fraud}/1`]);
  });

  it('finds by tag and pages through every version with the SDK paginator', async () => {
    const tagged = await ds1.send(new SearchCommand({ Resource: 'ModelPackage', SearchExpression: { Filters: [{ Name: 'Tags.stage', Value: 'prod' }] } }));
    expect(versionsOf(tagged.Results)).toEqual([`${fraud}/1`]);
    expect(tagged.Results![0]!.ModelPackage!.Tags).toEqual([{ Key: 'stage', Value: 'prod' }]);

    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateSearch({ client: ds1, pageSize: 1 }, { Resource: 'ModelPackage', SortBy: 'CreationTime', SortOrder: 'Ascending' })) {
      pages++;
      seen.push(...versionsOf(page.Results));
    }
    expect(seen).toEqual([`${churn}/1`, `${churn}/2`, `${churn}/3`, `${fraud}/1`]);
    expect(pages).toBe(4);
  });

  it('CrossAccount returns the groups and versions other accounts made discoverable', async () => {
    const groups = await ds1.send(new SearchCommand({ Resource: 'ModelPackageGroup', CrossAccountFilterOption: 'CrossAccount' }));
    expect(groupsOf(groups.Results)).toEqual([shared]);
    expect(groups.Results![0]!.ModelPackageGroup!.ModelPackageGroupArn).toBe(`arn:aws:sagemaker:${REGION}:${accounts.sharedServices}:model-package-group/${shared}`);
    const versions = await ds1.send(new SearchCommand({ Resource: 'ModelPackage', CrossAccountFilterOption: 'CrossAccount' }));
    expect(versionsOf(versions.Results)).toEqual([`${shared}/1`]);
    const notShared = await ds2.send(new SearchCommand({ Resource: 'ModelPackageGroup', CrossAccountFilterOption: 'CrossAccount' }));
    expect(notShared.Results).toEqual([]);
  });
});

describe('Search over models', () => {
  it('returns models in the model dashboard shape', async () => {
    const name = unique('search-model-');
    await ds1.send(
      new CreateModelCommand({
        ModelName: name,
        PrimaryContainer: { Image: 'xgboost:1.7', ModelDataUrl: `s3://sagemaker-${REGION}-${accounts.dataScience1}/m/model.tar.gz` },
        ExecutionRoleArn: `arn:aws:iam::${accounts.dataScience1}:role/SageMakerExecution`,
        Tags: [{ Key: 'team', Value: 'risk' }],
      }),
    );
    const out = await ds1.send(new SearchCommand({ Resource: 'Model', SearchExpression: { Filters: [{ Name: 'Model.ModelName', Value: name }] } }));
    expect(out.Results).toHaveLength(1);
    const m = out.Results![0]!.Model!;
    expect(m.Model).toMatchObject({ ModelName: name, PrimaryContainer: { Image: 'xgboost:1.7' }, Tags: [{ Key: 'team', Value: 'risk' }] });
    expect(m.Model!.CreationTime).toBeInstanceOf(Date);
    expect(m.Endpoints).toEqual([]);
  });

  it('answers resources mlzone does not keep with no results', async () => {
    const out = await ds1.send(new SearchCommand({ Resource: 'Pipeline' }));
    expect(out.Results).toEqual([]);
  });
});

describe("Search's refusals", () => {
  it('refuses unknown property names, a second Contains, empty expressions and foreign tokens', async () => {
    expect(await errorOf(ds1.send(new SearchCommand({ Resource: 'ModelPackageGroup', SearchExpression: { Filters: [{ Name: 'ModelApprovalStatus', Value: 'Approved' }] } })))).toEqual({
      name: 'ValidationException',
      message: 'Unknown property name: ModelApprovalStatus',
    });
    const contains = { Operator: 'Contains' as const, Value: 'x' };
    expect(
      await errorOf(
        ds1.send(new SearchCommand({ Resource: 'ModelPackage', SearchExpression: { Filters: [{ Name: 'ModelPackageGroupName', ...contains }, { Name: 'ModelPackageDescription', ...contains }] } })),
      ),
    ).toEqual({ name: 'ValidationException', message: "'CONTAINS' operator usage limit of 1 exceeded." });
    expect((await errorOf(ds1.send(new SearchCommand({ Resource: 'ModelPackage', SearchExpression: {} }))))?.name).toBe('ValidationException');
    expect(await errorOf(ds1.send(new SearchCommand({ Resource: 'ModelPackage', NextToken: 'bogus' })))).toEqual({ name: 'ValidationException', message: 'Invalid pagination token' });
  });

  it('validates MaxResults against the model', async () => {
    expect((await errorOf(ds1.send(new SearchCommand({ Resource: 'ModelPackage', MaxResults: 101 }))))?.name).toBe('ValidationException');
  });

  it('needs sagemaker:Search', async () => {
    expect((await errorOf(prodApp.send(new SearchCommand({ Resource: 'ModelPackage' }))))?.name).toBe('AccessDeniedException');
  });
});
