/**
 * An organization trail in the management account delivers every member account's events to an S3 bucket as
 * CloudTrail's gzipped JSON files, under AWSLogs/<org-id>/<account>/CloudTrail/<region>/yyyy/mm/dd/, written by
 * cloudtrail.amazonaws.com so the bucket policy (AWS's required statements) decides.
 */
import { gunzipSync } from 'node:zlib';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateAccountCommand, DescribeCreateAccountStatusCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const ORG = 'o-mlzone0001';
const BUCKET = `mlzone-trail-logs-${accounts.management}`;
const TRAIL = 'org-trail';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${accounts.management}:trail/${TRAIL}`;

let server: TestServer;
let mgmtAdmin: Creds;
beforeAll(async () => {
  server = await startTestServer({ trailDelivery: { intervalMs: 50 } });
  mgmtAdmin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
});
afterAll(() => server.close());

const trails = (c: Creds) => new CloudTrailClient(clientConfig(server.url, c));
const s3 = (c: Creds) => new S3Client({ ...clientConfig(server.url, c), forcePathStyle: true });

/** AWS's bucket policy for an organization trail (CloudTrail User Guide). */
function trailBucketPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
      },
      {
        Sid: 'AWSCloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: [`arn:aws:s3:::${bucket}/AWSLogs/${accounts.management}/*`, `arn:aws:s3:::${bucket}/AWSLogs/${ORG}/*`],
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN } },
      },
    ],
  });
}

async function records(account: string): Promise<Array<Record<string, unknown>>> {
  const prefix = `AWSLogs/${ORG}/${account}/CloudTrail/us-east-1/`;
  const listed = await s3(mgmtAdmin).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  const out: Array<Record<string, unknown>> = [];
  for (const o of listed.Contents ?? []) {
    expect(o.Key).toMatch(new RegExp(`^${prefix}\\d{4}/\\d{2}/\\d{2}/${account}_CloudTrail_us-east-1_\\d{8}T\\d{4}Z_[0-9a-f]{16}\\.json\\.gz$`));
    const body = await s3(mgmtAdmin).send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key }));
    const parsed = JSON.parse(gunzipSync(Buffer.from(await body.Body!.transformToByteArray())).toString('utf8')) as { Records: Array<Record<string, unknown>> };
    out.push(...parsed.Records);
  }
  return out;
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await fn();
    if (ok(v) || i > 100) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('organization trail', () => {
  it('refuses a trail whose bucket is missing or whose policy lacks CloudTrail, and org trails outside the management account', async () => {
    await s3(mgmtAdmin).send(new CreateBucketCommand({ Bucket: BUCKET }));
    await expect(trails(mgmtAdmin).send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET, IsOrganizationTrail: true }))).rejects.toMatchObject({
      name: 'InsufficientS3BucketPolicyException',
      message: `Incorrect S3 bucket policy is detected for bucket: ${BUCKET}`,
    });
    await expect(trails(mgmtAdmin).send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: 'no-such-bucket-here' }))).rejects.toMatchObject({
      name: 'S3BucketDoesNotExistException',
    });
    const ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
    await expect(trails(ds1Admin).send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET, IsOrganizationTrail: true }))).rejects.toMatchObject({
      name: 'NotOrganizationMasterAccountException',
    });
    await expect(trails(users.ds1Scientist).send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('cloudtrail:CreateTrail'),
    });
    await expect(trails(mgmtAdmin).send(new CreateTrailCommand({ Name: 'a..b', S3BucketName: BUCKET }))).rejects.toMatchObject({ name: 'InvalidTrailNameException' });
  });

  it('delivers the calls of every account, the vending of a new one included, as gzipped Records', async () => {
    await s3(mgmtAdmin).send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: trailBucketPolicy(BUCKET) }));
    const created = await trails(mgmtAdmin).send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET, IsOrganizationTrail: true, IsMultiRegionTrail: true }));
    expect(created).toMatchObject({ Name: TRAIL, TrailARN: TRAIL_ARN, IsOrganizationTrail: true, IsMultiRegionTrail: true });
    await trails(mgmtAdmin).send(new StartLoggingCommand({ Name: TRAIL }));

    const ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
    await new IAMClient(clientConfig(server.url, ds1Admin)).send(new ListRolesCommand({}));
    const orgs = new OrganizationsClient(clientConfig(server.url, mgmtAdmin));
    const req = await orgs.send(new CreateAccountCommand({ Email: 'data-science-3@mlzone.example', AccountName: 'data-science-3' }));
    const done = await eventually(
      () => orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: req.CreateAccountStatus!.Id! })),
      (r) => r.CreateAccountStatus!.State !== 'IN_PROGRESS',
    );
    const newAccount = done.CreateAccountStatus!.AccountId!;
    const ds3Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${newAccount}:role/OrganizationAccountAccessRole`);
    await new IAMClient(clientConfig(server.url, ds3Admin)).send(new ListRolesCommand({}));

    const ds1 = await eventually(() => records(accounts.dataScience1), (r) => r.some((e) => e.eventName === 'ListRoles'));
    expect(ds1.find((e) => e.eventName === 'ListRoles')).toMatchObject({
      eventSource: 'iam.amazonaws.com',
      recipientAccountId: accounts.dataScience1,
      userIdentity: expect.objectContaining({ type: 'AssumedRole' }),
    });
    const mgmt = await eventually(() => records(accounts.management), (r) => r.some((e) => e.eventName === 'CreateAccount'));
    expect(mgmt.map((e) => e.eventName)).toEqual(expect.arrayContaining(['CreateAccount', 'StartLogging']));
    const ds3 = await eventually(() => records(newAccount), (r) => r.some((e) => e.eventName === 'ListRoles'));
    expect(ds3.some((e) => e.eventName === 'ListRoles')).toBe(true);

    const status = await trails(mgmtAdmin).send(new GetTrailStatusCommand({ Name: TRAIL }));
    expect(status.IsLogging).toBe(true);
    expect(status.LatestDeliveryTime).toBeInstanceOf(Date);
    expect(status.LatestDeliveryError).toBeUndefined();
  });

  it('describes, stops and deletes the trail', async () => {
    const described = await trails(mgmtAdmin).send(new DescribeTrailsCommand({}));
    expect(described.trailList!.map((t) => t.TrailARN)).toEqual([TRAIL_ARN]);
    const got = await trails(mgmtAdmin).send(new GetTrailCommand({ Name: TRAIL_ARN }));
    expect(got.Trail).toMatchObject({ HomeRegion: 'us-east-1', S3BucketName: BUCKET, IsOrganizationTrail: true });
    await trails(mgmtAdmin).send(new StopLoggingCommand({ Name: TRAIL }));
    expect((await trails(mgmtAdmin).send(new GetTrailStatusCommand({ Name: TRAIL }))).IsLogging).toBe(false);
    await trails(mgmtAdmin).send(new DeleteTrailCommand({ Name: TRAIL }));
    await expect(trails(mgmtAdmin).send(new GetTrailCommand({ Name: TRAIL }))).rejects.toMatchObject({
      name: 'TrailNotFoundException',
      message: `Unknown trail: ${TRAIL_ARN} for the user: ${accounts.management}`,
    });
  });
});
