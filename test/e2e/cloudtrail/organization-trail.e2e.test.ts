/**
 * An organization trail in the management account delivers every member account's events to an S3 bucket as
 * CloudTrail's gzipped JSON files, under AWSLogs/<org-id>/<account>/CloudTrail/<region>/yyyy/mm/dd/, written by
 * cloudtrail.amazonaws.com so the bucket policy (AWS's required statements) decides.
 */
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
import { CreateBucketCommand, ListObjectsV2Command, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, managementAdmin, trailBucketPolicy, trailPrefix, trailRecords, vendAccount } from '../support/organization.js';
import { assumeRole, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const BUCKET = `mlzone-trail-logs-${accounts.management}`;
const TRAIL = 'org-trail';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${accounts.management}:trail/${TRAIL}`;

let server: TestServer;
let mgmtAdmin: Creds;
beforeAll(async () => {
  server = await startTestServer({ trailDelivery: { intervalMs: 50 } });
  mgmtAdmin = await managementAdmin(server.url);
});
afterAll(() => server.close());

const trails = (c: Creds) => new CloudTrailClient(clientConfig(server.url, c));
const s3 = (c: Creds) => new S3Client({ ...clientConfig(server.url, c), forcePathStyle: true });

async function records(account: string): Promise<Array<Record<string, unknown>>> {
  const listed = await s3(mgmtAdmin).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: trailPrefix(account) }));
  for (const o of listed.Contents ?? []) {
    expect(o.Key).toMatch(new RegExp(`^${trailPrefix(account)}\\d{4}/\\d{2}/\\d{2}/${account}_CloudTrail_us-east-1_\\d{8}T\\d{4}Z_[0-9a-f]{16}\\.json\\.gz$`));
  }
  return trailRecords(server.url, mgmtAdmin, BUCKET, account);
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
    await s3(mgmtAdmin).send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: trailBucketPolicy(BUCKET, TRAIL_ARN) }));
    const created = await trails(mgmtAdmin).send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET, IsOrganizationTrail: true, IsMultiRegionTrail: true }));
    expect(created).toMatchObject({ Name: TRAIL, TrailARN: TRAIL_ARN, IsOrganizationTrail: true, IsMultiRegionTrail: true });
    await trails(mgmtAdmin).send(new StartLoggingCommand({ Name: TRAIL }));

    const ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
    await new IAMClient(clientConfig(server.url, ds1Admin)).send(new ListRolesCommand({}));
    const newAccount = await vendAccount(server.url, mgmtAdmin, 'data-science-3');
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
