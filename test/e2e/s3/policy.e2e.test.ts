import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

let server: TestServer;
let lake: S3Client; // data-lake administrator (OrganizationAccountAccessRole, reached from the management account)
let scientist: S3Client; // data-science-1 DataScientist
let devops: S3Client; // shared-services Admin: AdministratorAccess in another member account
const client = (c: Creds) => new S3Client({ ...clientConfig(server.url, c), forcePathStyle: true });

beforeAll(async () => {
  server = await startTestServer();
  const admin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
  lake = client(await assumeRole(server.url, admin, 'arn:aws:iam::333333333333:role/OrganizationAccountAccessRole'));
  scientist = client(await assumeRole(server.url, users.ds1Scientist, 'arn:aws:iam::444444444444:role/DataScientist'));
  devops = client(await assumeRole(server.url, users.devops, 'arn:aws:iam::222222222222:role/Admin'));
});
afterAll(() => server.close());

const text = async (p: Promise<{ Body?: unknown }>) => Buffer.from(await ((await p).Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).toString();

describe('S3 bucket policies evaluated by the IAM engine', () => {
  it('a data scientist reads the curated bucket through its bucket policy and is denied the raw bucket', async () => {
    await lake.send(new PutObjectCommand({ Bucket: 'mlzone-curated-333333333333', Key: 'features/train.csv', Body: 'a,b\n1,2\n' }));
    await lake.send(new PutObjectCommand({ Bucket: 'mlzone-raw-333333333333', Key: 'landing/events.json', Body: '{}' }));
    expect(await text(scientist.send(new GetObjectCommand({ Bucket: 'mlzone-curated-333333333333', Key: 'features/train.csv' })))).toBe('a,b\n1,2\n');
    const listed = await scientist.send(new ListObjectsV2Command({ Bucket: 'mlzone-curated-333333333333', Prefix: 'features/' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['features/train.csv']);
    const denied = await scientist.send(new GetObjectCommand({ Bucket: 'mlzone-raw-333333333333', Key: 'landing/events.json' })).catch((e: unknown) => e);
    expect(denied).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect((denied as Error).message).toBe(
      'User: arn:aws:sts::444444444444:assumed-role/DataScientist/e2e is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::mlzone-raw-333333333333/landing/events.json" because no resource-based policy allows the s3:GetObject action',
    );
    // The policy grants reads only.
    await expect(scientist.send(new PutObjectCommand({ Bucket: 'mlzone-curated-333333333333', Key: 'x', Body: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('copies across accounts: read in the lake through its policy, write in the own SageMaker bucket', async () => {
    const Bucket = 'sagemaker-us-east-1-444444444444';
    await lake.send(new PutObjectCommand({ Bucket: 'mlzone-curated-333333333333', Key: 'features/copy-me.csv', Body: 'x,y\n' }));
    await lake.send(new PutObjectCommand({ Bucket: 'mlzone-raw-333333333333', Key: 'landing/secret.json', Body: '{}' }));
    await scientist.send(new CopyObjectCommand({ Bucket, Key: 'inputs/copy.csv', CopySource: 'mlzone-curated-333333333333/features/copy-me.csv' }));
    expect(await text(scientist.send(new GetObjectCommand({ Bucket, Key: 'inputs/copy.csv' })))).toBe('x,y\n');
    const denied = await scientist.send(new CopyObjectCommand({ Bucket, Key: 'inputs/secret.json', CopySource: 'mlzone-raw-333333333333/landing/secret.json' })).catch((e: unknown) => e);
    expect(denied).toMatchObject({ name: 'AccessDenied' });
    expect((denied as Error).message).toContain('s3:GetObject on resource: "arn:aws:s3:::mlzone-raw-333333333333/landing/secret.json" because no resource-based policy allows');
  });

  it('Principal "*" with aws:PrincipalOrgID lets organization members in and keeps anonymous callers out', async () => {
    const Bucket = unique('org-shared-');
    await lake.send(new CreateBucketCommand({ Bucket }));
    await lake.send(new PutObjectCommand({ Bucket, Key: 'model.tar.gz', Body: 'weights' }));
    await expect(devops.send(new GetObjectCommand({ Bucket, Key: 'model.tar.gz' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Org', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*`, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-mlzone0001' } } }],
    });
    await lake.send(new PutBucketPolicyCommand({ Bucket, Policy }));
    expect((await lake.send(new GetBucketPolicyCommand({ Bucket }))).Policy).toBe(Policy);
    expect(await text(devops.send(new GetObjectCommand({ Bucket, Key: 'model.tar.gz' })))).toBe('weights');
    const anonymous = await fetch(`${server.url}/${Bucket}/model.tar.gz`);
    expect(anonymous.status).toBe(403);
    // Outside the owner's organization S3 explains nothing.
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code><Message>Access Denied</Message>');
    await lake.send(new DeleteBucketPolicyCommand({ Bucket }));
    await expect(lake.send(new GetBucketPolicyCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
    await expect(devops.send(new GetObjectCommand({ Bucket, Key: 'model.tar.gz' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('rejects malformed policies', async () => {
    const Bucket = unique('malformed-');
    await lake.send(new CreateBucketCommand({ Bucket }));
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }] });
    await expect(lake.send(new PutBucketPolicyCommand({ Bucket, Policy: noPrincipal }))).rejects.toMatchObject({ name: 'MalformedPolicy', message: 'Missing required field Principal' });
    const otherBucket = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::someone-else/*' }] });
    await expect(lake.send(new PutBucketPolicyCommand({ Bucket, Policy: otherBucket }))).rejects.toMatchObject({ name: 'MalformedPolicy', message: 'Policy has invalid resource' });
    await expect(lake.send(new PutBucketPolicyCommand({ Bucket, Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"' }))).rejects.toMatchObject({ name: 'MalformedPolicy' });
  });

  it('honours Block Public Access: BlockPublicPolicy refuses public policies, RestrictPublicBuckets ignores their grants', async () => {
    const Bucket = unique('public-');
    await lake.send(new CreateBucketCommand({ Bucket }));
    await lake.send(new PutObjectCommand({ Bucket, Key: 'open.txt', Body: 'open' }));
    await expect(lake.send(new GetPublicAccessBlockCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchPublicAccessBlockConfiguration' });
    const publicPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }] });
    await lake.send(new PutBucketPolicyCommand({ Bucket, Policy: publicPolicy }));
    expect(await text(devops.send(new GetObjectCommand({ Bucket, Key: 'open.txt' })))).toBe('open');

    await lake.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
    expect((await lake.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: true,
    });
    await expect(devops.send(new GetObjectCommand({ Bucket, Key: 'open.txt' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(await text(lake.send(new GetObjectCommand({ Bucket, Key: 'open.txt' })))).toBe('open');

    await lake.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicPolicy: true } }));
    const refused = await lake.send(new PutBucketPolicyCommand({ Bucket, Policy: publicPolicy })).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect((refused as Error).message).toContain('because public policies are blocked by the BlockPublicPolicy block public access setting');
    const orgOnly = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*`, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-mlzone0001' } } }],
    });
    await lake.send(new PutBucketPolicyCommand({ Bucket, Policy: orgOnly }));
    expect(await text(devops.send(new GetObjectCommand({ Bucket, Key: 'open.txt' })))).toBe('open');
  });
});
