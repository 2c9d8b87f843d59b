/**
 * One account's registry through the JS SDK: repository lifecycle, image pushes with tag rules, paging
 * with the SDK's own paginators, tags and GetAuthorizationToken.
 */
import {
  BatchDeleteImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
  TagResourceCommand,
  paginateDescribeImages,
  paginateListImages,
} from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, unique, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
let admin: Creds;
let client: ECRClient;

function manifest(salt: string, sizes: number[] = [10, 20]): string {
  const digest = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 5, digest: digest(`${salt}/c`) },
    layers: sizes.map((size, i) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size, digest: digest(`${salt}/${i}`) })),
  });
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string }) => ({ name: e.name, message: e.message }),
  );

beforeAll(async () => {
  server = await startTestServer();
  admin = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/Admin`);
  client = new ECRClient(clientConfig(server.url, admin));
});
afterAll(() => server.close());

describe('ECR registry with the JS SDK', () => {
  it('lists the seeded platform repositories', async () => {
    const out = await client.send(new DescribeRepositoriesCommand({}));
    expect(out.repositories!.map((r) => r.repositoryName)).toEqual(['mlzone/inference', 'mlzone/training']);
    expect(out.repositories![0]).toMatchObject({
      registryId: accounts.sharedServices,
      repositoryUri: `${accounts.sharedServices}.dkr.ecr.us-east-1.amazonaws.com/mlzone/inference`,
      imageTagMutability: 'MUTABLE',
    });
    expect(out.repositories![0]!.createdAt).toBeInstanceOf(Date);
  });

  it('runs a repository through pushes, tag rules, paging, deletes and removal', async () => {
    const name = `team/${unique('app')}`;
    const created = await client.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: 'IMMUTABLE', tags: [{ Key: 'team', Value: 'ml' }] }));
    const arn = created.repository!.repositoryArn!;
    expect(arn).toBe(`arn:aws:ecr:us-east-1:${accounts.sharedServices}:repository/${name}`);
    expect(await errorOf(client.send(new CreateRepositoryCommand({ repositoryName: name })))).toEqual({
      name: 'RepositoryAlreadyExistsException',
      message: `The repository with name '${name}' already exists in the registry with id '${accounts.sharedServices}'`,
    });

    const m1 = manifest('one', [100, 23]);
    await client.send(new PutImageCommand({ repositoryName: name, imageManifest: m1, imageTag: 'v1' }));
    expect(await errorOf(client.send(new PutImageCommand({ repositoryName: name, imageManifest: manifest('two'), imageTag: 'v1' })))).toEqual({
      name: 'ImageTagAlreadyExistsException',
      message: `The image tag 'v1' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    });
    expect((await errorOf(client.send(new PutImageCommand({ repositoryName: name, imageManifest: m1, imageTag: 'v1' }))))?.name).toBe('ImageAlreadyExistsException');
    await client.send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: 'MUTABLE' }));
    for (let i = 2; i <= 7; i++) await client.send(new PutImageCommand({ repositoryName: name, imageManifest: manifest(`img${i}`), imageTag: `v${i}` }));
    // Moving v7 leaves its old image untagged.
    await client.send(new PutImageCommand({ repositoryName: name, imageManifest: manifest('img8'), imageTag: 'v7' }));

    const ids = [];
    for await (const page of paginateListImages({ client, pageSize: 3 }, { repositoryName: name })) {
      expect(page.imageIds!.length).toBeLessThanOrEqual(3);
      ids.push(...page.imageIds!);
    }
    expect(ids).toHaveLength(8);
    expect(ids.filter((x) => x.imageTag === undefined)).toHaveLength(1);

    const details = [];
    for await (const page of paginateDescribeImages({ client, pageSize: 5 }, { repositoryName: name, filter: { tagStatus: 'TAGGED' } })) details.push(...page.imageDetails!);
    expect(details).toHaveLength(7);
    const first = details.find((d) => d.imageTags?.includes('v1'))!;
    expect(first).toMatchObject({ imageSizeInBytes: 123, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    expect(first.imageDigest).toBe(`sha256:${createHash('sha256').update(m1).digest('hex')}`);

    const deleted = await client.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v2' }, { imageDigest: first.imageDigest }, { imageTag: 'gone' }] }));
    expect(deleted.imageIds).toHaveLength(2);
    expect(deleted.failures).toEqual([{ imageId: { imageTag: 'gone' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);

    await client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'stage', Value: 'dev' }] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { Key: 'stage', Value: 'dev' },
      { Key: 'team', Value: 'ml' },
    ]);

    expect(await errorOf(client.send(new DeleteRepositoryCommand({ repositoryName: name })))).toEqual({
      name: 'RepositoryNotEmptyException',
      message: `The repository with name '${name}' in registry with id '${accounts.sharedServices}' cannot be deleted because it still contains images`,
    });
    await client.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }));
    expect((await errorOf(client.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))))?.name).toBe('RepositoryNotFoundException');
  });

  it('issues a 12-hour docker login token for the caller registry', async () => {
    const out = await client.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData![0]!;
    const [user, password] = Buffer.from(data.authorizationToken!, 'base64').toString('utf8').split(':');
    expect(user).toBe('AWS');
    expect(password!.length).toBeGreaterThan(20);
    expect(data.proxyEndpoint).toBe(`https://${accounts.sharedServices}.dkr.ecr.us-east-1.amazonaws.com`);
    const hours = (data.expiresAt!.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
  });

  it('denies registry writes to a principal whose identity policy lacks them', async () => {
    const readOnly = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/ReadOnly`, { RoleSessionName: 'viewer' });
    const err = await errorOf(new ECRClient(clientConfig(server.url, readOnly)).send(new CreateRepositoryCommand({ repositoryName: unique('nope') })));
    expect(err?.name).toBe('AccessDeniedException');
    expect(err?.message).toMatch(
      new RegExp(`^User: arn:aws:sts::${accounts.sharedServices}:assumed-role/ReadOnly/viewer is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:${accounts.sharedServices}:repository/nope.* because no identity-based policy allows the ecr:CreateRepository action$`),
    );
  });
});
