/**
 * The ECR wire protocol as boto3 (the machine's Python) and the AWS CLI v1 speak it: a cross-account pull
 * of a shared-services image, listing, and AWS error codes. Skipped where the client is missing.
 */
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBoto3, hasCommand, python, run } from '../support/processes.js';
import { assumeRole, type Creds, credentialsEnv } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = 'mlzone/training';
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 10, digest: `sha256:${'a'.repeat(64)}` },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 2048, digest: `sha256:${'b'.repeat(64)}` }],
});
const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

let server: TestServer;
let sharedDeploy: Creds;
let prodDeploy: Creds;
let prodAdmin: Creds;

beforeAll(async () => {
  server = await startTestServer();
  sharedDeploy = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/DeploymentRole`);
  prodDeploy = await assumeRole(server.url, sharedDeploy, `arn:aws:iam::${accounts.production}:role/DeploymentRole`);
  const mgmtAdmin = await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`);
  prodAdmin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.production}:role/OrganizationAccountAccessRole`, { RoleSessionName: 'cli' });
  await new ECRClient(clientConfig(server.url, sharedDeploy)).send(new PutImageCommand({ repositoryName: REPO, imageManifest: manifest, imageTag: 'cpu-1' }));
});
afterAll(() => server.close());

const env = (prefix: string, c: Creds) => ({ [`${prefix}_KEY`]: c.accessKeyId, [`${prefix}_SECRET`]: c.secretAccessKey, [`${prefix}_TOKEN`]: c.sessionToken });

describe.skipIf(!hasBoto3)('boto3 against mlzone ECR', () => {
  it('describes repositories and pulls a shared-services image from production', async () => {
    const r = await run(python, [join(here, 'boto3_ecr.py')], {
      MLZONE_URL: server.url,
      MLZONE_REGISTRY: accounts.sharedServices,
      MLZONE_REPOSITORY: REPO,
      ...env('OWNER', sharedDeploy),
      ...env('PULLER', prodDeploy),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.repositories).toEqual([
      { name: REPO, uri: `${accounts.sharedServices}.dkr.ecr.us-east-1.amazonaws.com/${REPO}`, created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), mutability: 'MUTABLE' },
    ]);
    expect(out.images).toEqual([{ imageId: { imageDigest: digest, imageTag: 'cpu-1' }, manifest, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }]);
    expect(out.failures).toEqual([{ imageId: { imageTag: 'absent' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
    // The organization pull policy grants pulls and image listing, not DescribeRepositories.
    expect(out.cross_account_describe).toMatchObject({ code: 'AccessDeniedException', status: 400 });
    expect(out.cross_account_describe.message).toMatch(/ecr:DescribeRepositories on resource: arn:aws:ecr:us-east-1:222222222222:repository\/mlzone\/training because no resource-based policy allows/);
    expect(out.missing_repository).toEqual({
      code: 'RepositoryNotFoundException',
      status: 400,
      message: `The repository with name 'no/such-repo' does not exist in the registry with id '${accounts.sharedServices}'`,
    });
  });
});

describe.skipIf(!hasCommand('aws'))('AWS CLI v1 against mlzone ECR', () => {
  it('runs `aws ecr describe-images` cross-account with environment credentials', async () => {
    const cli = (args: string[]) =>
      run('aws', ['--endpoint-url', server.url, '--region', 'us-east-1', '--output', 'json', 'ecr', ...args], {
        ...credentialsEnv(prodAdmin),
        AWS_PAGER: '',
      });
    const r = await cli(['describe-images', '--registry-id', accounts.sharedServices, '--repository-name', REPO]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.imageDetails).toHaveLength(1);
    expect(out.imageDetails[0]).toMatchObject({ registryId: accounts.sharedServices, repositoryName: REPO, imageDigest: digest, imageTags: ['cpu-1'], imageSizeInBytes: 2048 });

    const denied = await cli(['delete-repository', '--registry-id', accounts.sharedServices, '--repository-name', REPO]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('(AccessDeniedException)');
    expect(denied.stderr).toContain('because no resource-based policy allows the ecr:DeleteRepository action');
  });
});
