/**
 * Amazon ECR for mlzone: repositories per account and region, image manifests, repository policies,
 * tag mutability and resource tags, over awsJson1_1.
 *
 * mlzone images are descriptions: PutImage stores the manifest (Docker v2 schema 2, OCI, manifest lists and
 * indexes) and computes the digest and size from it, but no layer bytes are uploaded (the layer-upload
 * operations are not implemented) and layers are never checked.
 *
 * The rest of mlzone uses this module only:
 * - the gateway registers `definition`;
 * - the IAM enforcement reads repository policies and tags through `registry` (`app/policy-sources.ts`),
 *   so cross-account calls are allowed only by the repository policy;
 * - the job and endpoint runtime resolves image URIs with `registry.resolveImage` (pure data: the caller
 *   authorizes the pull itself, e.g. `ecr:BatchGetImage` through the internal client);
 * - the blueprint loader creates repositories with `seeder`.
 *
 * @example
 * const ecr = createEcrService({ db, clock: systemClock, defaultRegion: 'us-east-1', validatePolicy: (d) => validatePolicyDocument(d, 'resource') });
 * await runMigrations(db, ecr.migrations);
 * await ecr.seeder.createRepository({ accountId: '222222222222', region: 'us-east-1', repositoryName: 'mlzone/training', imageTagMutability: 'MUTABLE', tags: {} });
 * const image = await ecr.registry.resolveImage('222222222222.dkr.ecr.us-east-1.amazonaws.com/mlzone/training:latest');
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { ecrAuthz } from './authz.js';
import { createHandlers } from './handlers.js';
import { migrations } from './migrations.js';
import { Registry, type EcrIamPort, type NewRepository, type ResolvedImage } from './registry.js';

export type { EcrIamPort, ResolvedImage } from './registry.js';
export { imageUri, parseImageUri, registryHost, repositoryArn, repositoryUri, type ImageReference } from './domain/names.js';
export { digestOf, MediaTypes } from './domain/manifest.js';

export interface EcrDeps {
  readonly db: Database;
  readonly clock: Clock;
  /** Region of image references without a registry host (the blueprint's region). */
  readonly defaultRegion: string;
  /**
   * IAM's refusal text for a resource-based policy document (`validatePolicyDocument(doc, 'resource')`), or
   * undefined when acceptable. ECR answers any refusal with its own InvalidParameterException text.
   */
  readonly validatePolicy: (document: string) => string | undefined;
  /** IAM users and roles (`IamDirectory`): SetRepositoryPolicy refuses a policy naming one that does not exist. */
  readonly iam?: EcrIamPort;
}

/** Read-only view of the registries for the IAM enforcement and the job/endpoint runtime. */
export interface EcrRegistryPort {
  /**
   * Resolves `<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag|@sha256:…]` to the stored image (tag
   * `latest` when neither is given; a digest wins over a tag). A reference without a registry host
   * (`<repo>:<tag>`) is looked up in `as.accountId`'s registry in the default region. Undefined when the
   * reference is malformed, not an ECR registry, or names no image. Does not authorize anything.
   */
  resolveImage(uri: string, as?: { readonly accountId: string }): Promise<ResolvedImage | undefined>;
  /** The repository policy, with the repository ARN as its id; undefined without repository or policy. */
  repositoryPolicy(accountId: string, region: string, repositoryName: string): Promise<{ readonly id: string; readonly document: string } | undefined>;
  /** The repository's resource tags (`aws:ResourceTag/*`); undefined when there is no such repository. */
  repositoryTags(accountId: string, region: string, repositoryName: string): Promise<Readonly<Record<string, string>> | undefined>;
}

/**
 * Creates repositories for the blueprint loader, validating like CreateRepository (same AwsErrors). Pass
 * `trx` to join the loader's transaction. Matches `RepositorySeeder` in `app/seed-blueprint.ts`.
 */
export interface EcrSeeder {
  createRepository(
    input: {
      readonly accountId: string;
      readonly region: string;
      readonly repositoryName: string;
      readonly policy?: string;
      readonly imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
      readonly tags: Readonly<Record<string, string>>;
    },
    trx?: Kysely<any>,
  ): Promise<void>;
  /**
   * Many repositories of `accountIds` in the loader's transaction: each `createRepository` validates like
   * the one above and throws the same error at once; `save()` inserts them with a few statements.
   */
  begin(trx: Kysely<any>, accountIds: readonly string[]): Promise<EcrSeedBatch>;
  /** Nothing is cached; present for the loader's protocol. */
  invalidate(): void;
}

export interface EcrSeedBatch {
  createRepository(input: Parameters<EcrSeeder['createRepository']>[0]): void;
  save(): Promise<void>;
}

export interface EcrService {
  /** The `ecr` service for the gateway. */
  readonly definition: ServiceDefinition;
  readonly registry: EcrRegistryPort;
  readonly seeder: EcrSeeder;
  /** Schema steps for `runMigrations`. */
  readonly migrations: Migration[];
}

function newRepository(input: Parameters<EcrSeeder['createRepository']>[0]): NewRepository {
  return {
    accountId: input.accountId,
    region: input.region,
    name: input.repositoryName,
    imageTagMutability: input.imageTagMutability,
    ...(input.policy !== undefined ? { policy: input.policy } : {}),
    tags: Object.entries(input.tags).map(([key, value]) => ({ key, value })),
  };
}

export function createEcrService(deps: EcrDeps): EcrService {
  const reg = new Registry(deps);
  const registry: EcrRegistryPort = {
    resolveImage: (uri, as) => reg.resolveImage(uri, as),
    async repositoryPolicy(accountId, region, repositoryName) {
      const r = await reg.find({ accountId, region, name: repositoryName });
      return r?.policy !== undefined ? { id: r.arn, document: r.policy } : undefined;
    },
    async repositoryTags(accountId, region, repositoryName) {
      const r = await reg.find({ accountId, region, name: repositoryName });
      if (!r) return undefined;
      return Object.fromEntries((await reg.resourceTags({ accountId, region, name: repositoryName })).map((t) => [t.key, t.value]));
    },
  };
  const seeder: EcrSeeder = {
    async createRepository(input, trx) {
      await reg.createRepository(newRepository(input), trx);
    },
    async begin(trx, accountIds) {
      const batch = await reg.beginCreate(trx, accountIds);
      return { createRepository: (input) => batch.create(newRepository(input)), save: () => batch.save() };
    },
    invalidate: () => undefined,
  };
  return {
    definition: { name: 'ecr', handlers: createHandlers(reg), authz: ecrAuthz },
    registry,
    seeder,
    migrations,
  };
}
