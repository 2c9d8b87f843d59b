/**
 * Pulling an image and reading model data **as the execution role**: both go through the internal client as the
 * role's session, so the repository policy, the bucket policy, the role's own policies and the SCPs decide, as
 * they do on AWS. Failures become the FailureReason a user reads, in AWS's words where AWS has them.
 */
import { createHash } from 'node:crypto';
import { isAwsError } from '../../../core/errors.js';
import type { Principal } from '../../../core/principal.js';
import type { RuntimeImage } from '../../../runtime/types.js';
import { parseImageUri } from '../../ecr/index.js';
import type { HostingPorts } from './ports.js';

/** A deployment failure whose message is the endpoint's FailureReason. */
export class DeploymentFailure extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'DeploymentFailure';
  }
}

export interface ResolvedImage {
  readonly runtime: RuntimeImage;
  /** `DeployedImages[].ResolvedImage`: the digest form of an ECR image, the URI itself for AWS-owned images. */
  readonly resolved: string;
}

const BASE_ANNOTATION = 'org.opencontainers.image.base.name';
const MAX_BASES = 8;

function denied(e: unknown): boolean {
  return isAwsError(e) && /AccessDenied/i.test(e.code);
}

export async function resolveImage(ports: HostingPorts, uri: string, as: Principal | undefined, roleArn: string | undefined, depth = 0): Promise<ResolvedImage> {
  const known = ports.knownImage(uri);
  const ref = parseImageUri(uri);
  // Images outside the landing zone's registries (AWS's own framework and algorithm images, which every account may
  // pull, and blueprint commands) need no pull; an image in one of mlzone's registries is pulled through its policy.
  if (!ref || !ref.accountId || !ref.region || !ports.isLandingZoneAccount(ref.accountId)) {
    if (known) return { runtime: known, resolved: digestForm(uri) };
    throw new DeploymentFailure(`mlzone cannot run image '${uri}': it is neither an image in an ECR repository of the landing zone nor a SageMaker image mlzone knows.`);
  }
  if (!as) throw new DeploymentFailure(`The model has no ExecutionRoleArn, so SageMaker cannot pull the image: '${uri}'.`);
  let out: { images?: Array<{ imageManifest?: string; imageId?: { imageDigest?: string } }>; failures?: unknown[] };
  try {
    out = await ports.internal().call({
      service: 'ecr',
      operation: 'BatchGetImage',
      input: { registryId: ref.accountId, repositoryName: ref.repositoryName, imageIds: [ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' }] },
      principal: as,
      region: ref.region,
      via: { calledVia: ['sagemaker.amazonaws.com'] },
    });
  } catch (e) {
    if (denied(e)) throw new DeploymentFailure(`The role '${roleArn}' does not have BatchGetImage permission for the image: '${uri}'.`);
    if (isAwsError(e) && e.code === 'RepositoryNotFoundException') throw new DeploymentFailure(`Requested image ${uri} not found: the repository ${ref.repositoryName} does not exist in registry ${ref.accountId}.`);
    throw e;
  }
  const image = out.images?.[0];
  if (!image?.imageManifest) throw new DeploymentFailure(`Requested image ${uri} not found.`);
  const digest = image.imageId?.imageDigest;
  const resolved = `${ref.accountId}.dkr.ecr.${ref.region}.amazonaws.com/${ref.repositoryName}${digest ? `@${digest}` : `:${ref.tag ?? 'latest'}`}`;
  if (known) return { runtime: known, resolved };
  const base = baseOf(image.imageManifest);
  if (base && depth < MAX_BASES) return { runtime: (await resolveImage(ports, base, as, roleArn, depth + 1)).runtime, resolved };
  throw new DeploymentFailure(
    `mlzone does not know what runs image '${uri}': give its manifest the annotation ${BASE_ANNOTATION} naming the SageMaker framework image it is built on, or map it to a command in the blueprint.`,
  );
}

function baseOf(manifest: string): string | undefined {
  try {
    const m = JSON.parse(manifest) as { annotations?: Record<string, unknown> };
    const base = m.annotations?.[BASE_ANNOTATION];
    return typeof base === 'string' && base.length > 0 ? base : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `registry/repository@sha256:…` for an image mlzone has no manifest of (AWS's own images): AWS answers the digest it
 * pulled; here it is derived from the URI, so the same tag always resolves to the same digest.
 */
function digestForm(uri: string): string {
  const ref = parseImageUri(uri);
  if (!ref?.accountId || ref.digest) return uri;
  return `${ref.accountId}.dkr.ecr.${ref.region}.amazonaws.com/${ref.repositoryName}@sha256:${createHash('sha256').update(uri).digest('hex')}`;
}

const S3_URL = /^s3:\/\/([^/]+)\/(.+)$/;

/** The model data at `url` (`s3://bucket/key.tar.gz`) read as the execution role. */
export async function readModelData(ports: HostingPorts, url: string, as: Principal | undefined, roleArn: string | undefined, region: string): Promise<Buffer> {
  const m = S3_URL.exec(url);
  if (!m) throw new DeploymentFailure(`Could not find model data at ${url}: ModelDataUrl must be an S3 URI (s3://bucket/key).`);
  if (!as) throw new DeploymentFailure(`Could not access model data at ${url}. The model has no ExecutionRoleArn, so SageMaker cannot read it.`);
  let out: { Body?: AsyncIterable<Uint8Array> | Uint8Array };
  try {
    out = await ports.internal().call({ service: 's3', operation: 'GetObject', input: { Bucket: m[1], Key: m[2] }, principal: as, region, via: { calledVia: ['sagemaker.amazonaws.com'] } });
  } catch (e) {
    if (denied(e)) {
      throw new DeploymentFailure(
        `Could not access model data at ${url}. Please ensure that the role "${roleArn}" exists and that its trust relationship policy allows the action "sts:AssumeRole" for the service principal "sagemaker.amazonaws.com". Also ensure that the role has "s3:GetObject" permissions and that the object is located in ${region}.`,
      );
    }
    if (isAwsError(e) && (e.code === 'NoSuchKey' || e.code === 'NoSuchBucket')) throw new DeploymentFailure(`Could not find model data at ${url}.`);
    throw e;
  }
  const body = out.Body;
  if (!body) return Buffer.alloc(0);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}
