/**
 * The ECR service below the protocol layer: handlers called with a fake RequestContext on a fresh
 * in-memory database, plus the seeder, the published registry port and authz.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOf } from './domain/manifest.js';
import { dockerManifest, expectAwsError, harness, PROD, REGION, SHARED, type Harness } from './test-support.js';

const REPO = 'mlzone/inference';
const ARN = `arn:aws:ecr:${REGION}:${SHARED}:repository/${REPO}`;
const policy = (statement: object = {}) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: ['ecr:BatchGetImage'], ...statement }] });

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

async function repo(name = REPO, extra: Record<string, unknown> = {}) {
  return (await h.call('CreateRepository', { repositoryName: name, ...extra })).repository!;
}

async function push(manifest: string, tag?: string, name = REPO) {
  return (await h.call('PutImage', { repositoryName: name, imageManifest: manifest, ...(tag !== undefined ? { imageTag: tag } : {}) })).image!;
}

describe('repositories', () => {
  it('creates a repository with AWS defaults and answers its shape', async () => {
    const r = await repo(REPO, { tags: [{ Key: 'team', Value: 'platform' }] });
    expect(r).toEqual({
      repositoryArn: ARN,
      registryId: SHARED,
      repositoryName: REPO,
      repositoryUri: `${SHARED}.dkr.ecr.${REGION}.amazonaws.com/${REPO}`,
      createdAt: new Date(h.clock.now()),
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    expect((await h.call('ListTagsForResource', { resourceArn: ARN })).tags).toEqual([{ Key: 'team', Value: 'platform' }]);
  });

  it('refuses a second repository of the same name in the same registry only', async () => {
    await repo();
    await expectAwsError(h.call('CreateRepository', { repositoryName: REPO }), 'RepositoryAlreadyExistsException', `The repository with name '${REPO}' already exists in the registry with id '${SHARED}'`);
    await expect(h.call('CreateRepository', { repositoryName: REPO }, PROD)).resolves.toBeDefined();
  });

  it('describes by name, reports the first missing name, and pages through a registry', async () => {
    for (let i = 0; i < 5; i++) await repo(`r${i}x`);
    const named = await h.call('DescribeRepositories', { repositoryNames: ['r3x', 'r1x'] });
    expect(named.repositories!.map((r) => r.repositoryName)).toEqual(['r3x', 'r1x']);
    await expectAwsError(h.call('DescribeRepositories', { repositoryNames: ['r1x', 'nope'] }), 'RepositoryNotFoundException', `The repository with name 'nope' does not exist in the registry with id '${SHARED}'`);
    await expectAwsError(h.call('DescribeRepositories', { repositoryNames: ['r1x'], maxResults: 1 }), 'InvalidParameterException');
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await h.call('DescribeRepositories', { maxResults: 2, ...(nextToken ? { nextToken } : {}) });
      expect(page.repositories!.length).toBeLessThanOrEqual(2);
      names.push(...page.repositories!.map((r) => r.repositoryName!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(names).toEqual(['r0x', 'r1x', 'r2x', 'r3x', 'r4x']);
    expect((await h.call('DescribeRepositories', {}, PROD)).repositories).toEqual([]);
    expect((await h.call('DescribeRepositories', { registryId: SHARED }, PROD)).repositories).toHaveLength(5);
  });

  it('deletes an empty repository, and one with images only with force', async () => {
    await repo();
    await push(dockerManifest(), 'v1');
    await expectAwsError(
      h.call('DeleteRepository', { repositoryName: REPO }),
      'RepositoryNotEmptyException',
      `The repository with name '${REPO}' in registry with id '${SHARED}' cannot be deleted because it still contains images`,
    );
    expect((await h.call('DeleteRepository', { repositoryName: REPO, force: true })).repository!.repositoryArn).toBe(ARN);
    await expectAwsError(h.call('DeleteRepository', { repositoryName: REPO }), 'RepositoryNotFoundException');
    // A new repository of the same name starts empty, without the old tags.
    await repo();
    expect((await h.call('ListImages', { repositoryName: REPO })).imageIds).toEqual([]);
    expect((await h.call('ListTagsForResource', { resourceArn: ARN })).tags).toEqual([]);
  });

  it('changes tag mutability and scan-on-push', async () => {
    await repo();
    const out = await h.call('PutImageTagMutability', {
      repositoryName: REPO,
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
    });
    expect(out).toEqual({
      registryId: SHARED,
      repositoryName: REPO,
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
    });
    await expectAwsError(h.call('PutImageTagMutability', { repositoryName: REPO, imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' }), 'InvalidParameterException');
    await h.call('PutImageScanningConfiguration', { repositoryName: REPO, imageScanningConfiguration: { scanOnPush: true } });
    const [r] = (await h.call('DescribeRepositories', { repositoryNames: [REPO] })).repositories!;
    expect(r).toMatchObject({ imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageScanningConfiguration: { scanOnPush: true } });
    // dev-* tags stay movable, the others do not.
    await push(dockerManifest([1], 'a'), 'dev-1');
    await push(dockerManifest([1], 'b'), 'dev-1');
    await push(dockerManifest([1], 'a'), 'v1');
    await expectAwsError(h.call('PutImage', { repositoryName: REPO, imageManifest: dockerManifest([1], 'b'), imageTag: 'v1' }), 'ImageTagAlreadyExistsException');
  });
});

describe('images', () => {
  beforeEach(async () => {
    await repo();
  });

  it('stores a manifest under its sha256 digest and reports its size and media type', async () => {
    const m = dockerManifest([100, 250]);
    const img = await push(m, 'v1');
    expect(img).toEqual({
      registryId: SHARED,
      repositoryName: REPO,
      imageId: { imageDigest: digestOf(m), imageTag: 'v1' },
      imageManifest: m,
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    const [detail] = (await h.call('DescribeImages', { repositoryName: REPO })).imageDetails!;
    expect(detail).toEqual({
      registryId: SHARED,
      repositoryName: REPO,
      imageDigest: digestOf(m),
      imageTags: ['v1'],
      imageSizeInBytes: 350,
      imagePushedAt: new Date(h.clock.now()),
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    });
  });

  it('refuses the same manifest under the same tag, adds other tags, and checks a given digest', async () => {
    const m = dockerManifest();
    const d = digestOf(m);
    await push(m, 'v1');
    await expectAwsError(
      h.call('PutImage', { repositoryName: REPO, imageManifest: m, imageTag: 'v1' }),
      'ImageAlreadyExistsException',
      `Image with digest '${d}' and tag 'v1' already exists in the repository with name '${REPO}' in registry with id '${SHARED}'`,
    );
    await expectAwsError(h.call('PutImage', { repositoryName: REPO, imageManifest: m }), 'ImageAlreadyExistsException');
    h.clock.advance(1000);
    await push(m, 'latest');
    expect((await h.call('DescribeImages', { repositoryName: REPO })).imageDetails!.map((x) => x.imageTags)).toEqual([['v1', 'latest']]);
    await expectAwsError(h.call('PutImage', { repositoryName: REPO, imageManifest: dockerManifest([5]), imageDigest: d }), 'ImageDigestDoesNotMatchException');
    await expect(h.call('PutImage', { repositoryName: REPO, imageManifest: dockerManifest([5]), imageDigest: digestOf(dockerManifest([5])) })).resolves.toBeDefined();
    await expectAwsError(h.call('PutImage', { repositoryName: 'other/repo', imageManifest: m }), 'RepositoryNotFoundException');
    await expectAwsError(h.call('PutImage', { repositoryName: REPO, imageManifest: '{"schemaVersion":2}' }), 'InvalidParameterException', /'Invalid JSON syntax'/);
  });

  it('moves a mutable tag and keeps the old image untagged; an immutable repository refuses', async () => {
    const a = dockerManifest([1], 'a');
    const b = dockerManifest([2], 'b');
    await push(a, 'latest');
    h.clock.advance(1000);
    await push(b, 'latest');
    const details = (await h.call('DescribeImages', { repositoryName: REPO })).imageDetails!;
    expect(details.map((x) => [x.imageDigest, x.imageTags])).toEqual([
      [digestOf(a), undefined],
      [digestOf(b), ['latest']],
    ]);
    expect((await h.call('DescribeImages', { repositoryName: REPO, filter: { tagStatus: 'UNTAGGED' } })).imageDetails!.map((x) => x.imageDigest)).toEqual([digestOf(a)]);

    await repo('frozen', { imageTagMutability: 'IMMUTABLE' });
    await push(a, 'v1', 'frozen');
    await expectAwsError(
      h.call('PutImage', { repositoryName: 'frozen', imageManifest: b, imageTag: 'v1' }),
      'ImageTagAlreadyExistsException',
      "The image tag 'v1' already exists in the 'frozen' repository and cannot be overwritten because the repository is immutable.",
    );
    // A new tag on an existing image is not a move.
    await expect(push(a, 'v1-alias', 'frozen')).resolves.toBeDefined();
  });

  it('gets images by tag and digest with failures, and records the pull', async () => {
    const m = dockerManifest();
    const d = digestOf(m);
    await push(m, 'v1');
    h.clock.advance(5000);
    const out = await h.call('BatchGetImage', {
      repositoryName: REPO,
      imageIds: [{ imageTag: 'v1' }, { imageDigest: d }, { imageTag: 'v1' }, { imageTag: 'v9' }, {}, { imageDigest: 'sha256:invalid-digest' }, { imageDigest: d, imageTag: 'nope' }],
    });
    expect(out.images).toEqual([
      { registryId: SHARED, repositoryName: REPO, imageId: { imageDigest: d, imageTag: 'v1' }, imageManifest: m, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
      { registryId: SHARED, repositoryName: REPO, imageId: { imageDigest: d }, imageManifest: m, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
    ]);
    expect(out.failures).toEqual([
      { imageId: { imageTag: 'v9' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
      { imageId: {}, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' },
      { imageId: { imageDigest: 'sha256:invalid-digest' }, failureCode: 'InvalidImageDigest', failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'" },
      { imageId: { imageDigest: d, imageTag: 'nope' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
    ]);
    const [detail] = (await h.call('DescribeImages', { repositoryName: REPO })).imageDetails!;
    expect(detail!.lastRecordedPullTime).toEqual(new Date(h.clock.now()));
  });

  it('describes named images and refuses a missing one with its id', async () => {
    const m = dockerManifest();
    await push(m, 'v1');
    const out = await h.call('DescribeImages', { repositoryName: REPO, imageIds: [{ imageTag: 'v1' }, { imageDigest: digestOf(m) }] });
    expect(out.imageDetails).toHaveLength(1);
    await expectAwsError(
      h.call('DescribeImages', { repositoryName: REPO, imageIds: [{ imageTag: 'testtag' }] }),
      'ImageNotFoundException',
      `The image with imageId {imageDigest:'null', imageTag:'testtag'} does not exist within the repository with name '${REPO}' in the registry with id '${SHARED}'`,
    );
  });

  it('lists one id per tag, untagged images by digest, filtered and paged', async () => {
    const a = dockerManifest([1], 'a');
    const b = dockerManifest([1], 'b');
    const c = dockerManifest([1], 'c');
    await push(a, 'v1');
    h.clock.advance(1);
    await push(a, 'latest');
    h.clock.advance(1);
    await push(b);
    h.clock.advance(1);
    await push(c, 'v2');
    const all = (await h.call('ListImages', { repositoryName: REPO })).imageIds!;
    expect(all).toHaveLength(4);
    expect(all).toContainEqual({ imageDigest: digestOf(b) });
    expect(all.filter((x) => x.imageDigest === digestOf(a)).map((x) => x.imageTag).sort()).toEqual(['latest', 'v1']);
    expect((await h.call('ListImages', { repositoryName: REPO, filter: { tagStatus: 'UNTAGGED' } })).imageIds).toEqual([{ imageDigest: digestOf(b) }]);
    expect((await h.call('ListImages', { repositoryName: REPO, filter: { tagStatus: 'TAGGED' } })).imageIds).toHaveLength(3);
    const paged: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const page = await h.call('ListImages', { repositoryName: REPO, maxResults: 1, ...(nextToken ? { nextToken } : {}) });
      paged.push(...page.imageIds!);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(paged).toEqual(all);
    await expectAwsError(h.call('ListImages', { repositoryName: REPO, nextToken: 'forged' }), 'InvalidParameterException');
  });

  it('deletes by tag (the image goes with its last tag) and by digest (with every tag)', async () => {
    const a = dockerManifest([1], 'a');
    const b = dockerManifest([1], 'b');
    await push(a, 'v1');
    await push(a, 'latest');
    await push(b, 'v2');
    const byTag = await h.call('BatchDeleteImage', { repositoryName: REPO, imageIds: [{ imageTag: 'latest' }, { imageTag: 'missing' }] });
    expect(byTag).toEqual({
      imageIds: [{ imageDigest: digestOf(a), imageTag: 'latest' }],
      failures: [{ imageId: { imageTag: 'missing' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }],
    });
    expect((await h.call('ListImages', { repositoryName: REPO })).imageIds).toHaveLength(2);
    await push(a, 'again');
    const byDigest = await h.call('BatchDeleteImage', { repositoryName: REPO, imageIds: [{ imageDigest: digestOf(a) }, { imageTag: 'v2' }] });
    expect(byDigest.imageIds).toEqual([
      { imageDigest: digestOf(a), imageTag: 'v1' },
      { imageDigest: digestOf(a), imageTag: 'again' },
      { imageDigest: digestOf(b), imageTag: 'v2' },
    ]);
    expect(byDigest.failures).toEqual([]);
    expect((await h.call('ListImages', { repositoryName: REPO })).imageIds).toEqual([]);
  });
});

describe('repository policies', () => {
  beforeEach(async () => {
    await repo();
  });

  it('sets, gets and deletes a policy', async () => {
    await expectAwsError(
      h.call('GetRepositoryPolicy', { repositoryName: REPO }),
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${REPO}' in the registry with id '${SHARED}'`,
    );
    const text = policy();
    expect(await h.call('SetRepositoryPolicy', { repositoryName: REPO, policyText: text })).toEqual({ registryId: SHARED, repositoryName: REPO, policyText: text });
    expect((await h.call('GetRepositoryPolicy', { repositoryName: REPO })).policyText).toBe(text);
    expect(await h.ecr.registry.repositoryPolicy(SHARED, REGION, REPO)).toEqual({ id: ARN, document: text });
    expect((await h.call('DeleteRepositoryPolicy', { repositoryName: REPO })).policyText).toBe(text);
    expect(await h.ecr.registry.repositoryPolicy(SHARED, REGION, REPO)).toBeUndefined();
    await expectAwsError(h.call('DeleteRepositoryPolicy', { repositoryName: REPO }), 'RepositoryPolicyNotFoundException');
    await expectAwsError(h.call('SetRepositoryPolicy', { repositoryName: 'missing', policyText: text }), 'RepositoryNotFoundException');
  });

  it('refuses Resource, whatever IAM refuses, and principals that do not exist', async () => {
    const text = "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'";
    await expectAwsError(h.call('SetRepositoryPolicy', { repositoryName: REPO, policyText: policy({ Resource: '*' }) }), 'InvalidParameterException', text);
    const strict = await harness({
      validatePolicy: (doc) => (doc.includes('"Effect":"Allow"') ? undefined : 'Syntax errors in policy.'),
      iam: {
        getRole: async (accountId, name) => (name === 'DeploymentRole' ? { arn: `arn:aws:iam::${accountId}:role/${name}` } : undefined),
        getUser: async () => undefined,
      },
    });
    try {
      await strict.call('CreateRepository', { repositoryName: REPO });
      await expectAwsError(strict.call('SetRepositoryPolicy', { repositoryName: REPO, policyText: policy({ Effect: 'Permit' }) }), 'InvalidParameterException', text);
      await expectAwsError(
        strict.call('SetRepositoryPolicy', { repositoryName: REPO, policyText: policy({ Principal: { AWS: `arn:aws:iam::${PROD}:role/Ghost` } }) }),
        'InvalidParameterException',
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'",
      );
      await expect(
        strict.call('SetRepositoryPolicy', { repositoryName: REPO, policyText: policy({ Principal: { AWS: `arn:aws:iam::${PROD}:role/DeploymentRole` } }) }),
      ).resolves.toBeDefined();
    } finally {
      await strict.close();
    }
  });
});

describe('resource tags', () => {
  it('tags, lists and untags by ARN', async () => {
    await repo();
    await h.call('TagResource', { resourceArn: ARN, tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '1' }] });
    await h.call('TagResource', { resourceArn: ARN, tags: [{ Key: 'a', Value: 'one' }] });
    expect((await h.call('ListTagsForResource', { resourceArn: ARN })).tags).toEqual([
      { Key: 'a', Value: 'one' },
      { Key: 'b', Value: '2' },
    ]);
    expect(await h.ecr.registry.repositoryTags(SHARED, REGION, REPO)).toEqual({ a: 'one', b: '2' });
    await h.call('UntagResource', { resourceArn: ARN, tagKeys: ['a', 'zz'] });
    expect((await h.call('ListTagsForResource', { resourceArn: ARN })).tags).toEqual([{ Key: 'b', Value: '2' }]);
    await expectAwsError(h.call('TagResource', { resourceArn: 'invalid', tags: [] }), 'InvalidParameterException', "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'");
    await expectAwsError(h.call('ListTagsForResource', { resourceArn: ARN.replace(REPO, 'gone') }), 'RepositoryNotFoundException');
    expect(await h.ecr.registry.repositoryTags(SHARED, REGION, 'gone')).toBeUndefined();
  });
});

describe('GetAuthorizationToken', () => {
  it('answers AWS:<password> for 12 hours per registry', async () => {
    const out = await h.call('GetAuthorizationToken', {});
    expect(out.authorizationData).toHaveLength(1);
    const [data] = out.authorizationData!;
    expect(Buffer.from(data!.authorizationToken!, 'base64').toString('utf8')).toMatch(/^AWS:.{20,}$/);
    expect(data!.expiresAt).toEqual(new Date(h.clock.now() + 12 * 3600 * 1000));
    expect(data!.proxyEndpoint).toBe(`https://${SHARED}.dkr.ecr.${REGION}.amazonaws.com`);
    const two = await h.call('GetAuthorizationToken', { registryIds: [SHARED, PROD] });
    expect(two.authorizationData!.map((x) => x.proxyEndpoint)).toEqual([`https://${SHARED}.dkr.ecr.${REGION}.amazonaws.com`, `https://${PROD}.dkr.ecr.${REGION}.amazonaws.com`]);
  });
});

describe('seeder and registry port', () => {
  it('seeds a repository with policy and tags inside the loader transaction', async () => {
    const text = policy();
    await h.db.transaction(async (trx) => {
      await h.ecr.seeder.createRepository({ accountId: SHARED, region: REGION, repositoryName: 'mlzone/training', policy: text, imageTagMutability: 'IMMUTABLE', tags: { owner: 'platform' } }, trx);
    });
    h.ecr.seeder.invalidate();
    expect(await h.ecr.registry.repositoryPolicy(SHARED, REGION, 'mlzone/training')).toEqual({ id: `arn:aws:ecr:${REGION}:${SHARED}:repository/mlzone/training`, document: text });
    expect(await h.ecr.registry.repositoryTags(SHARED, REGION, 'mlzone/training')).toEqual({ owner: 'platform' });
    const [r] = (await h.call('DescribeRepositories', { repositoryNames: ['mlzone/training'] })).repositories!;
    expect(r!.imageTagMutability).toBe('IMMUTABLE');
    await expectAwsError(
      h.ecr.seeder.createRepository({ accountId: SHARED, region: REGION, repositoryName: 'mlzone/training', imageTagMutability: 'MUTABLE', tags: {} }),
      'RepositoryAlreadyExistsException',
    );
  });

  it('resolves image URIs by tag, by digest, relative to an account, and not otherwise', async () => {
    await repo();
    const m = dockerManifest();
    const d = digestOf(m);
    await push(m, 'v1');
    await push(m, 'latest');
    const host = `${SHARED}.dkr.ecr.${REGION}.amazonaws.com`;
    const expected = { accountId: SHARED, region: REGION, repositoryName: REPO, digest: d, tags: ['v1', 'latest'], manifest: m, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' };
    expect(await h.ecr.registry.resolveImage(`${host}/${REPO}:v1`)).toEqual(expected);
    expect(await h.ecr.registry.resolveImage(`${host}/${REPO}@${d}`)).toEqual(expected);
    expect(await h.ecr.registry.resolveImage(`${host}/${REPO}`)).toEqual(expected);
    expect(await h.ecr.registry.resolveImage(`${REPO}:v1`, { accountId: SHARED })).toEqual(expected);
    expect(await h.ecr.registry.resolveImage(`${REPO}:v1`)).toBeUndefined();
    expect(await h.ecr.registry.resolveImage(`${host}/${REPO}:v2`)).toBeUndefined();
    expect(await h.ecr.registry.resolveImage(`${PROD}.dkr.ecr.${REGION}.amazonaws.com/${REPO}:v1`)).toBeUndefined();
    expect(await h.ecr.registry.resolveImage(`${SHARED}.dkr.ecr.eu-west-1.amazonaws.com/${REPO}:v1`)).toBeUndefined();
    expect(await h.ecr.registry.resolveImage('docker.io/library/python:3.11')).toBeUndefined();
  });
});

describe('authz', () => {
  it('declares authorization for every implemented operation', () => {
    for (const op of Object.keys(h.ecr.definition.handlers)) expect(h.ecr.definition.authz?.[op], op).toBeDefined();
  });

  it('names the repository ARN of registryId (or the caller), with its account as resource account', async () => {
    expect(await h.authz('BatchGetImage', { registryId: SHARED, repositoryName: REPO, imageIds: [{ imageTag: 'v1' }] }, PROD)).toEqual([
      { action: 'ecr:BatchGetImage', resource: ARN, resourceAccount: SHARED, context: {} },
    ]);
    expect(await h.authz('PutImage', { repositoryName: REPO, imageManifest: '{}' })).toEqual([{ action: 'ecr:PutImage', resource: ARN, resourceAccount: SHARED, context: {} }]);
    expect(await h.authz('GetAuthorizationToken', {})).toEqual([{ action: 'ecr:GetAuthorizationToken', resource: '*' }]);
    expect(await h.authz('DescribeRepositories', {}, PROD)).toEqual([
      { action: 'ecr:DescribeRepositories', resource: `arn:aws:ecr:${REGION}:${PROD}:repository/*`, resourceAccount: PROD },
    ]);
    expect((await h.authz('DescribeRepositories', { repositoryNames: ['a1', 'b1'] })).map((r) => r.resource)).toEqual([
      `arn:aws:ecr:${REGION}:${SHARED}:repository/a1`,
      `arn:aws:ecr:${REGION}:${SHARED}:repository/b1`,
    ]);
  });

  it('asks for ecr:TagResource with request tags when creating with tags', async () => {
    const reqs = await h.authz('CreateRepository', { repositoryName: REPO, tags: [{ Key: 'team', Value: 'ml' }] });
    expect(reqs.map((r) => r.action)).toEqual(['ecr:CreateRepository', 'ecr:TagResource']);
    expect(reqs[1]!.context).toEqual({ 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'ml' });
    expect(await h.authz('UntagResource', { resourceArn: ARN, tagKeys: ['team'] })).toEqual([
      { action: 'ecr:UntagResource', resource: ARN, resourceAccount: SHARED, context: { 'aws:TagKeys': ['team'] } },
    ]);
    expect(await h.authz('ListTagsForResource', { resourceArn: 'invalid' })).toEqual([{ action: 'ecr:ListTagsForResource', resource: '*', context: {} }]);
  });
});
