/**
 * `PolicySources` for the IAM authorizer, assembled from the services' published directories. Resource
 * policies come from the service that owns the resource: IAM role trust policies, ECR repository policies, S3
 * bucket policies, SageMaker model package group policies, OAM sink policies.
 */
import { parseArn, parseIamEntityArn } from '../core/arn.js';
import type { Principal } from '../core/principal.js';
import type { PolicySources } from '../gateway/enforce/policy-sources.js';
import type { EcrRegistryPort } from '../services/ecr/index.js';
import type { IamDirectory } from '../services/iam/index.js';
import type { BucketDirectory } from '../services/s3/index.js';
import type { SageMakerPolicies } from '../services/sagemaker/index.js';
import type { OrgDirectory } from '../services/organizations/index.js';
import type { OamPolicies } from '../services/oam/index.js';
import type { GluePolicies } from '../services/glue/index.js';

const TRUST_ACTIONS = new Set(['sts:assumerole', 'sts:tagsession', 'sts:setsourceidentity', 'sts:assumerolewithwebidentity', 'sts:assumerolewithsaml']);

function principalEntity(p: Principal): { kind: 'user' | 'role'; name: string } | undefined {
  if (p.type === 'IAMUser' && p.name) return { kind: 'user', name: p.name };
  if (p.type === 'AssumedRole' && p.name) return { kind: 'role', name: p.name };
  return undefined;
}

/** Services owning resources that carry their own policy or tags, beyond IAM. */
export interface ResourceOwners {
  /** ECR: repository policies and tags of `arn:aws:ecr:<region>:<account>:repository/<name>`. */
  readonly ecr?: Pick<EcrRegistryPort, 'repositoryPolicy' | 'repositoryTags'>;
  /** S3: bucket policies (as Block Public Access lets them apply) for `arn:aws:s3:::bucket[/key]`, bucket tags. */
  readonly s3?: Pick<BucketDirectory, 'bucketPolicy' | 'bucketTags'>;
  /** SageMaker: model package group policies (for groups and their versioned packages) and resource tags. */
  readonly sagemaker?: SageMakerPolicies;
  /** OAM: sink policies (who may link to a sink) and sink/link tags. */
  readonly oam?: OamPolicies;
  /** Glue: the Data Catalog's resource policy (PutResourcePolicy) plus what accepted Lake Formation shares imply. */
  readonly glue?: GluePolicies;
}

const OAM_ARN = 'arn:aws:oam:';

const GLUE_ARN = 'arn:aws:glue:';

const SAGEMAKER_ARN = 'arn:aws:sagemaker:';

const S3_ARN = 'arn:aws:s3:::';

/** The bucket an S3 ARN names (bucket or object ARN), or undefined for any other ARN. */
function s3Bucket(resourceArn: string): { bucket: string; object: boolean } | undefined {
  if (!resourceArn.startsWith(S3_ARN)) return undefined;
  const rest = resourceArn.slice(S3_ARN.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, object: false } : { bucket: rest.slice(0, slash), object: true };
}

/** The repository an ECR ARN names, or undefined for any other ARN. */
function ecrRepository(resourceArn: string): { accountId: string; region: string; name: string } | undefined {
  if (!resourceArn.startsWith('arn:aws:ecr:')) return undefined;
  const arn = parseArn(resourceArn);
  if (!arn || !arn.resource.startsWith('repository/')) return undefined;
  return { accountId: arn.accountId, region: arn.region, name: arn.resource.slice('repository/'.length) };
}

function tagRecord(tags: ReadonlyArray<{ Key: string; Value: string }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) out[t.Key] = t.Value;
  return out;
}

export function createPolicySources(iam: IamDirectory, org: OrgDirectory, owners: ResourceOwners = {}): PolicySources {
  const entity = async (p: Principal) => {
    const e = principalEntity(p);
    if (!e) return undefined;
    return e.kind === 'user' ? iam.getUser(p.accountId, e.name) : iam.getRole(p.accountId, e.name);
  };
  // A closed (SUSPENDED) account answers nothing: its principals get no identity policy and its roles trust no one.
  // Organizations' generation covers the status, so the authorizer's cached halves are dropped on CloseAccount.
  const closed = async (accountId: string): Promise<boolean> => (await org.account(accountId))?.status === 'SUSPENDED';
  const iamGeneration = iam.generation?.bind(iam);
  const orgGeneration = org.generation?.bind(org);
  return {
    // Both counters only grow, so their sum changes whenever either does.
    ...(iamGeneration && orgGeneration ? { generation: () => iamGeneration() + orgGeneration() + (owners.sagemaker?.generation() ?? 0) } : {}),
    // Buckets and repositories keep their policies and tags outside IAM; every other resource's answer comes from IAM
    // (roles, users) or is "none".
    // SageMaker's generation covers its resources' tags and group policies (see SageMakerPolicies.generation).
    // OAM and Glue keep no generation: their policies (and, for Glue, the shares that extend its catalog policy) are
    // read afresh for every request.
    coversResource: (arn) => !arn.startsWith(S3_ARN) && !arn.startsWith('arn:aws:ecr:') && !arn.startsWith(OAM_ARN) && !arn.startsWith(GLUE_ARN) && (owners.sagemaker !== undefined || !arn.startsWith(SAGEMAKER_ARN)),
    // The directories' records already have `id` and `document`: handed on as they are (no copy per request).
    async identityPolicies(p) {
      const e = principalEntity(p);
      if (!e || (await closed(p.accountId))) return [];
      return iam.identityPolicies(p.accountId, e.kind, e.name);
    },
    async permissionsBoundary(p) {
      const arn = (await entity(p))?.permissionsBoundaryArn;
      if (!arn) return undefined;
      const document = await iam.managedPolicyDocument(arn);
      return document ? { id: arn, document } : undefined;
    },
    managedPolicy: (arn) => iam.managedPolicyDocument(arn),
    async principalTags(p) {
      return tagRecord((await entity(p))?.tags);
    },
    async resourcePolicy(resourceArn, action) {
      const s3 = s3Bucket(resourceArn);
      if (s3) {
        const document = await owners.s3?.bucketPolicy(s3.bucket);
        return document ? { id: `${S3_ARN}${s3.bucket}`, document, kind: 'resource' } : undefined;
      }
      const repository = ecrRepository(resourceArn);
      if (repository) {
        const policy = await owners.ecr?.repositoryPolicy(repository.accountId, repository.region, repository.name);
        return policy ? { id: policy.id, document: policy.document, kind: 'resource' } : undefined;
      }
      if (resourceArn.startsWith(SAGEMAKER_ARN)) {
        const policy = await owners.sagemaker?.resourcePolicy(resourceArn);
        return policy ? { id: policy.id, document: policy.document, kind: 'resource' } : undefined;
      }
      if (resourceArn.startsWith(OAM_ARN)) {
        const policy = await owners.oam?.resourcePolicy(resourceArn);
        return policy ? { id: policy.id, document: policy.document, kind: 'resource' } : undefined;
      }
      if (resourceArn.startsWith(GLUE_ARN)) {
        const policy = await owners.glue?.resourcePolicy(resourceArn);
        return policy ? { id: policy.id, document: policy.document, kind: 'resource' } : undefined;
      }
      if (!TRUST_ACTIONS.has(action.toLowerCase())) return undefined;
      const target = parseIamEntityArn(resourceArn);
      if (target?.kind !== 'role') return undefined;
      if (await closed(target.accountId)) return undefined;
      const role = await iam.getRole(target.accountId, target.name);
      if (!role || role.arn !== resourceArn) return undefined;
      return { id: role.arn, document: role.assumeRolePolicyDocument, kind: 'trust' };
    },
    async resourceTags(resourceArn) {
      const s3 = s3Bucket(resourceArn);
      if (s3) return s3.object ? undefined : owners.s3?.bucketTags(s3.bucket);
      const repository = ecrRepository(resourceArn);
      if (repository) return owners.ecr?.repositoryTags(repository.accountId, repository.region, repository.name);
      if (resourceArn.startsWith(SAGEMAKER_ARN)) return owners.sagemaker?.resourceTags(resourceArn);
      if (resourceArn.startsWith(OAM_ARN)) return owners.oam?.resourceTags(resourceArn);
      const entity = parseIamEntityArn(resourceArn);
      if (!entity) return undefined;
      const record = entity.kind === 'role' ? await iam.getRole(entity.accountId, entity.name) : await iam.getUser(entity.accountId, entity.name);
      return tagRecord(record?.tags);
    },
    organization: {
      managementAccountId: async () => (await org.organization())?.managementAccountId,
      orgId: async () => (await org.organization())?.id,
      orgPath: (accountId) => org.orgPath(accountId),
      inOrganization: async (accountId) => (await org.account(accountId)) !== undefined,
      policiesFor: (accountId, type) => org.policiesFor(accountId, type),
    },
  };
}
