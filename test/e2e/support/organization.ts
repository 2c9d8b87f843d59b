/**
 * What the organization tests share: the management account's Admin session, OUs by name, account vending
 * (CreateAccount and waiting for its request), and an organization trail's bucket policy and delivered records.
 */
import { gunzipSync } from 'node:zlib';
import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  type CreateAccountStatus,
} from '@aws-sdk/client-organizations';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { assumeRole, type Creds } from './sessions.js';
import { accounts, clientConfig, users } from './server.js';

export const ORG_ID = 'o-mlzone0001';

/** The org admin's session in the management account's Admin role (what runs the organization). */
export function managementAdmin(url: string): Promise<Creds> {
  return assumeRole(url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`);
}

export function organizations(url: string, creds: Creds): OrganizationsClient {
  return new OrganizationsClient(clientConfig(url, creds));
}

export async function rootId(url: string, creds: Creds): Promise<string> {
  return (await organizations(url, creds).send(new ListRootsCommand({}))).Roots![0]!.Id!;
}

/** The id of the OU at `path` under the root, e.g. `['Workloads', 'Development']`. */
export async function ouId(url: string, creds: Creds, path: readonly string[]): Promise<string> {
  let parent = await rootId(url, creds);
  for (const name of path) {
    const under = (await organizations(url, creds).send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent }))).OrganizationalUnits!;
    const ou = under.find((o) => o.Name === name);
    if (!ou) throw new Error(`no OU ${name} under ${parent}`);
    parent = ou.Id!;
  }
  return parent;
}

/** Polls DescribeCreateAccountStatus until the request is no longer IN_PROGRESS. */
export async function waitForCreateAccount(url: string, creds: Creds, requestId: string): Promise<CreateAccountStatus> {
  for (;;) {
    const { CreateAccountStatus: s } = await organizations(url, creds).send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: requestId }));
    if (s!.State !== 'IN_PROGRESS') return s!;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** CreateAccount, waited for; the new account's id (it throws when the request failed). */
export async function vendAccount(url: string, creds: Creds, name: string, email = `${name}@mlzone.example`): Promise<string> {
  const out = await organizations(url, creds).send(new CreateAccountCommand({ Email: email, AccountName: name }));
  const done = await waitForCreateAccount(url, creds, out.CreateAccountStatus!.Id!);
  if (done.State !== 'SUCCEEDED') throw new Error(`CreateAccount ${name}: ${done.State} ${done.FailureReason ?? ''}`);
  return done.AccountId!;
}

/** AWS's bucket policy for an organization trail (CloudTrail User Guide). */
export function trailBucketPolicy(bucket: string, trailArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
      },
      {
        Sid: 'AWSCloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: [`arn:aws:s3:::${bucket}/AWSLogs/${accounts.management}/*`, `arn:aws:s3:::${bucket}/AWSLogs/${ORG_ID}/*`],
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
      },
    ],
  });
}

/** The prefix an organization trail delivers an account's files under (us-east-1). */
export function trailPrefix(account: string): string {
  return `AWSLogs/${ORG_ID}/${account}/CloudTrail/us-east-1/`;
}

/** Every record of the trail files delivered for `account`, read and gunzipped with the JS SDK. */
export async function trailRecords(url: string, creds: Creds, bucket: string, account: string): Promise<Array<Record<string, unknown>>> {
  const s3 = new S3Client({ ...clientConfig(url, creds), forcePathStyle: true });
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: trailPrefix(account) }));
  const out: Array<Record<string, unknown>> = [];
  for (const o of listed.Contents ?? []) {
    const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
    const parsed = JSON.parse(gunzipSync(Buffer.from(await body.Body!.transformToByteArray())).toString('utf8')) as { Records: Array<Record<string, unknown>> };
    out.push(...parsed.Records);
  }
  return out;
}

/** Calls `fn` until `ok` holds (or ~5 s passed) and returns the last value. */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await fn();
    if (ok(v) || i > 100) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
