/**
 * What IAM must allow for each ECR operation: `ecr:<Operation>` on the repository ARN
 * `arn:aws:ecr:<region>:<registryId or caller>:repository/<name>` (resource type `repository` in the service
 * authorization reference), with the repository's account as resource account. A call naming another
 * account's registry is therefore cross-account, and the repository policy (PolicySources.resourcePolicy)
 * must allow it. https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
 *
 * - GetAuthorizationToken has no resource type: `*`.
 * - DescribeRepositories without names lists the registry: `…:repository/*`.
 * - Tag operations name the resource by ARN; a malformed ARN is authorized on `*` and then refused by the
 *   handler with InvalidParameterException.
 * - Creating with tags also needs `ecr:TagResource` (tag-on-create), with `aws:RequestTag/*` and `aws:TagKeys`.
 */
import type { RequestContext } from '../../core/context.js';
import type { AuthzFn, AuthzRequest } from '../../core/service.js';
import type { EcrOperations, Tag as ApiTag } from './api.gen.js';
import { parseRepositoryArn, repositoryArn } from './domain/names.js';

type Ctx = Record<string, string | readonly string[]>;
type Authz = { [K in keyof EcrOperations]?: AuthzFn<EcrOperations[K]['input']> };

const a = (op: string): string => `ecr:${op}`;

function requestTags(tags: readonly ApiTag[] | undefined): Ctx {
  if (!tags || tags.length === 0) return {};
  const out: Ctx = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const t of tags) out[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
  return out;
}

/** A request on the repository the input names (`registryId` defaults to the caller's account). */
function on(op: string, ctx: RequestContext, i: { readonly registryId?: string; readonly repositoryName: string }, context: Ctx = {}): AuthzRequest {
  const account = i.registryId ?? ctx.accountId;
  return { action: a(op), resource: repositoryArn(account, ctx.region, i.repositoryName), resourceAccount: account, context };
}

function onArn(op: string, resourceArn: string, context: Ctx = {}): AuthzRequest {
  const p = parseRepositoryArn(resourceArn);
  return p ? { action: a(op), resource: resourceArn, resourceAccount: p.accountId, context } : { action: a(op), resource: '*', context };
}

export const ecrAuthz: Authz = {
  CreateRepository: (i, ctx) => {
    const tags = requestTags(i.tags);
    const reqs = [on('CreateRepository', ctx, i, tags)];
    if (i.tags && i.tags.length > 0) reqs.push(on('TagResource', ctx, i, tags));
    return reqs;
  },
  DescribeRepositories: (i, ctx) => {
    const account = i.registryId ?? ctx.accountId;
    if (i.repositoryNames && i.repositoryNames.length > 0) {
      return i.repositoryNames.map((name) => on('DescribeRepositories', ctx, { registryId: account, repositoryName: name }));
    }
    return [{ action: a('DescribeRepositories'), resource: repositoryArn(account, ctx.region, '*'), resourceAccount: account }];
  },
  DeleteRepository: (i, ctx) => [on('DeleteRepository', ctx, i)],
  SetRepositoryPolicy: (i, ctx) => [on('SetRepositoryPolicy', ctx, i)],
  GetRepositoryPolicy: (i, ctx) => [on('GetRepositoryPolicy', ctx, i)],
  DeleteRepositoryPolicy: (i, ctx) => [on('DeleteRepositoryPolicy', ctx, i)],
  PutImageTagMutability: (i, ctx) => [on('PutImageTagMutability', ctx, i)],
  PutImageScanningConfiguration: (i, ctx) => [on('PutImageScanningConfiguration', ctx, i)],
  PutImage: (i, ctx) => [on('PutImage', ctx, i)],
  BatchGetImage: (i, ctx) => [on('BatchGetImage', ctx, i)],
  BatchDeleteImage: (i, ctx) => [on('BatchDeleteImage', ctx, i)],
  DescribeImages: (i, ctx) => [on('DescribeImages', ctx, i)],
  ListImages: (i, ctx) => [on('ListImages', ctx, i)],
  GetAuthorizationToken: () => [{ action: a('GetAuthorizationToken'), resource: '*' }],
  TagResource: (i) => [onArn('TagResource', i.resourceArn, requestTags(i.tags))],
  UntagResource: (i) => [onArn('UntagResource', i.resourceArn, { 'aws:TagKeys': i.tagKeys })],
  ListTagsForResource: (i) => [onArn('ListTagsForResource', i.resourceArn)],
};
