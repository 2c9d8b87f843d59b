/**
 * The same services on PostgreSQL: the landing zone seeds, and STS, IAM and Organizations answer real
 * clients. Runs when MLZONE_TEST_PG points at a server (CI sets it); each run uses its own schema.
 */
import { CreateRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeEndpointCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createModelArtifact } from '../../../src/runtime/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, type Creds } from '../support/sessions.js';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const url = process.env.MLZONE_TEST_PG;
const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-pg-'));
const schema = `mlzone_e2e_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;

describe.skipIf(!url)('mlzone on PostgreSQL (MLZONE_TEST_PG)', () => {
  let server: TestServer;
  let admin: Creds;
  beforeAll(async () => {
    server = await startTestServer({ ephemeral: false, dataDir, databaseUrl: url, databaseSchema: schema });
    admin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
  });
  afterAll(async () => {
    await server?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds the blueprint and serves STS, IAM and Organizations', async () => {
    const iam = new IAMClient(clientConfig(server.url, admin));
    await iam.send(new CreateRoleCommand({ RoleName: 'OnPostgres', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'OnPostgres' }))).Role!.Arn).toBe('arn:aws:iam::111111111111:role/OnPostgres');
    const roles = await iam.send(new ListRolesCommand({ MaxItems: 1 }));
    expect(roles.IsTruncated).toBe(true);
    const accounts = await new OrganizationsClient(clientConfig(server.url, admin)).send(new ListAccountsCommand({}));
    expect(accounts.Accounts!.length).toBe(8);
    await expect(assumeRole(server.url, users.ds2Scientist, 'arn:aws:iam::444444444444:role/DataScientist')).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('keeps the SageMaker registry and serves an endpoint', async () => {
    const ds1 = await assumeRole(server.url, users.ds1Scientist, 'arn:aws:iam::444444444444:role/DataScientist');
    const sm = new SageMakerClient(clientConfig(server.url, ds1));
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'on-postgres' }));
    const image = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
    const data = 's3://sagemaker-us-east-1-444444444444/pg/model.tar.gz';
    for (let i = 0; i < 2; i++) {
      await sm.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'on-postgres', InferenceSpecification: { Containers: [{ Image: image, ModelDataUrl: data }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['application/json'] } }));
    }
    const versions = await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'on-postgres' }));
    expect(versions.ModelPackageSummaryList!.map((p) => p.ModelPackageVersion)).toEqual([1, 2]);

    const body = await createModelArtifact({ 'mlzone-linear-learner.json': JSON.stringify({ predictor_type: 'regressor', feature_dim: 1, weights: [2], bias: 1 }) });
    await new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: 'sagemaker-us-east-1-444444444444', Key: 'pg/model.tar.gz', Body: body }));
    await sm.send(new CreateModelCommand({ ModelName: 'pg', ExecutionRoleArn: 'arn:aws:iam::444444444444:role/SageMakerExecution', PrimaryContainer: { ModelPackageName: 'arn:aws:sagemaker:us-east-1:444444444444:model-package/on-postgres/2' } }));
    await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'pg', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'pg', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await sm.send(new CreateEndpointCommand({ EndpointName: 'pg', EndpointConfigName: 'pg' }));
    await server.app.settle();
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: 'pg' }));
    expect(d.FailureReason ?? '').toBe('');
    expect(d.EndpointStatus).toBe('InService');
    const out = await new SageMakerRuntimeClient(clientConfig(server.url, ds1)).send(new InvokeEndpointCommand({ EndpointName: 'pg', ContentType: 'text/csv', Body: Buffer.from('3') }));
    expect(JSON.parse(Buffer.from(out.Body!).toString()).predictions[0].score).toBe(7);
  });
});
