/**
 * Names of ECR things: repository ARNs, registry hosts, repository URIs and image references
 * (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag][@sha256:…]`). Pure string work.
 */

/** The model's RepositoryName pattern, anchored (lower-case path components separated by `/`). */
export const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/** A Docker tag: word characters, dots and dashes, not starting with a dot or dash (ECR allows up to 300). */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$/;

/** What ECR accepts as an image digest (`InvalidImageDigest` otherwise). */
export const IMAGE_DIGEST = /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/;

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
const REGISTRY_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

export function isRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY_NAME.test(name);
}

export function repositoryArn(accountId: string, region: string, repositoryName: string): string {
  return `arn:aws:ecr:${region}:${accountId}:repository/${repositoryName}`;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com`: what `docker login` and image URIs name. */
export function registryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

export function repositoryUri(accountId: string, region: string, repositoryName: string): string {
  return `${registryHost(accountId, region)}/${repositoryName}`;
}

/** `<registry>/<repo>:<tag>` or `<registry>/<repo>@<digest>`. */
export function imageUri(accountId: string, region: string, repositoryName: string, ref: { readonly tag?: string; readonly digest?: string }): string {
  const base = repositoryUri(accountId, region, repositoryName);
  if (ref.digest) return `${base}@${ref.digest}`;
  return `${base}:${ref.tag ?? 'latest'}`;
}

export interface RepositoryArnParts {
  readonly accountId: string;
  readonly region: string;
  readonly repositoryName: string;
}

/** The parts of `arn:aws:ecr:<region>:<account>:repository/<name>`, or undefined for anything else. */
export function parseRepositoryArn(arn: string): RepositoryArnParts | undefined {
  const m = /^arn:aws[a-z-]*:ecr:([^:]+):([^:]+):repository\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const [, region, accountId, repositoryName] = m as unknown as [string, string, string, string];
  if (!ACCOUNT_ID.test(accountId) || !REGION.test(region) || !isRepositoryName(repositoryName)) return undefined;
  return { accountId, region, repositoryName };
}

/** An image reference taken apart. `accountId`/`region` are absent for a reference without a registry host. */
export interface ImageReference {
  readonly accountId?: string;
  readonly region?: string;
  readonly repositoryName: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Parses `[<account>.dkr.ecr.<region>.amazonaws.com/]<repo>[:<tag>][@<algorithm>:<hex>]`. A reference with
 * neither tag nor digest means the tag `latest`, as for `docker pull`. A host that is not an ECR registry,
 * a bad repository name, tag or digest gives undefined.
 *
 * @example parseImageUri('222222222222.dkr.ecr.us-east-1.amazonaws.com/mlzone/inference:v1')
 *   // → { accountId: '222222222222', region: 'us-east-1', repositoryName: 'mlzone/inference', tag: 'v1' }
 */
export function parseImageUri(uri: string): ImageReference | undefined {
  let rest = uri.trim();
  let accountId: string | undefined;
  let region: string | undefined;
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  // Docker's rule: the first component is a host when it has a dot or a port, or is `localhost`.
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    const host = REGISTRY_HOST.exec(first);
    if (!host) return undefined;
    accountId = host[1]!;
    region = host[2]!;
    rest = rest.slice(slash + 1);
  }
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!IMAGE_DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!IMAGE_TAG.test(tag)) return undefined;
  }
  if (!isRepositoryName(rest)) return undefined;
  if (tag === undefined && digest === undefined) tag = 'latest';
  return {
    repositoryName: rest,
    ...(accountId !== undefined ? { accountId, region } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}
