/**
 * The shared-services registry of the default blueprint, through the JS SDK: shared-services pushes an
 * inference image; production pulls it cross-account (`registryId`) only while the repository policy
 * allows; another policy narrows who may pull. Identity policies alone never open another account's
 * repository.
 */
import {
  BatchGetImageCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  PutImageCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const REPO = 'mlzone/inference';
const REPO_ARN = `arn:aws:ecr:us-east-1:${accounts.sharedServices}:repository/${REPO}`;

let server: TestServer;
let sharedDeploy: Creds;
let sharedAdmin: Creds;
let prodAdmin: Creds;
let prodDeploy: Creds;
let ds1Engineer: Creds;

function manifest(salt: string): string {
  const digest = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: digest(`${salt}/config`) },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 29_125_000, digest: digest(`${salt}/base`) },
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 4_096, digest: digest(`${salt}/app`) },
    ],
  });
}

const ecr = (c: Creds) => new ECRClient(clientConfig(server.url, c));
const pull = (c: Creds, tag: string) => ecr(c).send(new BatchGetImageCommand({ registryId: accounts.sharedServices, repositoryName: REPO, imageIds: [{ imageTag: tag }] }));
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => ({ name: e.name, message: e.message, status: e.$metadata.httpStatusCode }),
  );

beforeAll(async () => {
  server = await startTestServer();
  sharedDeploy = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/DeploymentRole`, { RoleSessionName: 'ci' });
  sharedAdmin = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/Admin`, { RoleSessionName: 'owner' });
  const mgmtAdmin = await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`);
  prodAdmin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.production}:role/OrganizationAccountAccessRole`, { RoleSessionName: 'prod-admin' });
  prodDeploy = await assumeRole(server.url, sharedDeploy, `arn:aws:iam::${accounts.production}:role/DeploymentRole`, { RoleSessionName: 'deployer' });
  ds1Engineer = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${accounts.dataScience1}:role/DataScientist`, { RoleSessionName: 'alice' });
});
afterAll(() => server.close());

describe('shared-services images pulled from production', () => {
  const m = manifest('model-server-1');
  const digest = `sha256:${createHash('sha256').update(m).digest('hex')}`;

  it('lets the shared-services deployment role push to the seeded inference repository', async () => {
    const out = await ecr(sharedDeploy).send(new PutImageCommand({ repositoryName: REPO, imageManifest: m, imageTag: 'v1' }));
    expect(out.image).toMatchObject({ registryId: accounts.sharedServices, repositoryName: REPO, imageId: { imageDigest: digest, imageTag: 'v1' } });
  });

  it('lets production pull it cross-account while the organization policy allows', async () => {
    for (const who of [prodAdmin, prodDeploy]) {
      const out = await pull(who, 'v1');
      expect(out.failures).toEqual([]);
      expect(out.images).toHaveLength(1);
      expect(out.images![0]).toMatchObject({ registryId: accounts.sharedServices, repositoryName: REPO, imageId: { imageDigest: digest, imageTag: 'v1' }, imageManifest: m });
    }
    const described = await ecr(prodAdmin).send(new DescribeImagesCommand({ registryId: accounts.sharedServices, repositoryName: REPO }));
    expect(described.imageDetails).toHaveLength(1);
    expect(described.imageDetails![0]).toMatchObject({ imageDigest: digest, imageTags: ['v1'], imageSizeInBytes: 29_129_096 });
    expect(described.imageDetails![0]!.lastRecordedPullTime).toBeInstanceOf(Date);
  });

  it('refuses what the organization policy does not grant, even to an administrator', async () => {
    const err = await refusal(ecr(prodAdmin).send(new PutImageCommand({ registryId: accounts.sharedServices, repositoryName: REPO, imageManifest: manifest('x'), imageTag: 'evil' })));
    expect(err).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::${accounts.production}:assumed-role/OrganizationAccountAccessRole/prod-admin is not authorized to perform: ecr:PutImage on resource: ${REPO_ARN} because no resource-based policy allows the ecr:PutImage action`,
    });
  });

  it('refuses the pull once the owner removes the repository policy', async () => {
    const before = await ecr(sharedAdmin).send(new GetRepositoryPolicyCommand({ repositoryName: REPO }));
    expect(JSON.parse(before.policyText!).Statement[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-mlzone0001' } });
    // The deployment role (AmazonEC2ContainerRegistryPowerUser) may not change policies.
    expect((await refusal(ecr(sharedDeploy).send(new DeleteRepositoryPolicyCommand({ repositoryName: REPO }))))?.name).toBe('AccessDeniedException');
    const removed = await ecr(sharedAdmin).send(new DeleteRepositoryPolicyCommand({ repositoryName: REPO }));
    expect(removed.policyText).toBe(before.policyText);

    expect(await refusal(pull(prodAdmin, 'v1'))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::${accounts.production}:assumed-role/OrganizationAccountAccessRole/prod-admin is not authorized to perform: ecr:BatchGetImage on resource: ${REPO_ARN} because no resource-based policy allows the ecr:BatchGetImage action`,
    });
    expect((await refusal(pull(prodDeploy, 'v1')))?.message).toMatch(/because no resource-based policy allows the ecr:BatchGetImage action$/);
    // The owner's own principals still pull on their identity policies.
    expect((await pull(sharedDeploy, 'v1')).images).toHaveLength(1);
  });

  it('lets a narrower policy name production only: production pulls, data science does not', async () => {
    const policyText = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'ProductionPull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accounts.production}:root` }, Action: ['ecr:BatchGetImage', 'ecr:DescribeImages'] }],
    });
    await ecr(sharedAdmin).send(new SetRepositoryPolicyCommand({ repositoryName: REPO, policyText }));
    expect((await pull(prodDeploy, 'v1')).images).toHaveLength(1);
    expect((await refusal(pull(ds1Engineer, 'v1')))?.message).toBe(
      `User: arn:aws:sts::${accounts.dataScience1}:assumed-role/DataScientist/alice is not authorized to perform: ecr:BatchGetImage on resource: ${REPO_ARN} because no resource-based policy allows the ecr:BatchGetImage action`,
    );
  });

  it('refuses a repository policy with a Resource element in ECR wording', async () => {
    const err = await refusal(
      ecr(sharedAdmin).send(
        new SetRepositoryPolicyCommand({
          repositoryName: REPO,
          policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage', Resource: REPO_ARN }] }),
        }),
      ),
    );
    expect(err).toEqual({ name: 'InvalidParameterException', status: 400, message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'" });
    const missing = await refusal(
      ecr(sharedAdmin).send(
        new SetRepositoryPolicyCommand({
          repositoryName: REPO,
          policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accounts.production}:role/NoSuchRole` }, Action: 'ecr:BatchGetImage' }] }),
        }),
      ),
    );
    expect(missing?.message).toBe("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'");
  });
});
