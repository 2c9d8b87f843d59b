/**
 * CloudWatch Observability Access Manager for mlzone: sinks in monitoring accounts, links from source accounts,
 * sink policies enforced as resource policies, over restJson1.
 *
 * The rest of mlzone uses this module only:
 * - the gateway registers `definition`;
 * - the IAM enforcement reads sink policies and sink/link tags through `policies` (`app/policy-sources.ts`), so
 *   a source account may link only where the sink policy allows it;
 * - CloudWatch metrics and Logs ask `links` (the `ObservabilityLinks` port of `core/observability.ts`) which
 *   source accounts a monitoring account sees; `links.accountLabels` gives each source account's link label;
 * - the blueprint loader creates sinks and links with `seeder`.
 *
 * @example
 * const oam = createOamService({ db, clock: systemClock, validatePolicy: (d) => validatePolicyDocument(d, 'resource'), account: (id) => org.directory.account(id) });
 * await runMigrations(db, oam.migrations);
 * const sources = await oam.links.sourceAccounts('222222222222', 'us-east-1', 'AWS::CloudWatch::Metric');
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { ObservabilityLinks } from '../../core/observability.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { OamErrors } from './api.gen.js';
import { oamAuthz } from './authz.js';
import type { AccountFacts } from './domain/label.js';
import { oamArn, parseOamArn, seededId } from './domain/names.js';
import { checkNewLink, labelFor, oamHandlers } from './handlers.js';
import { migrations } from './migrations.js';
import { OamStore, type Link } from './store.js';

export type { AccountFacts } from './domain/label.js';

export interface OamDeps {
  readonly db: Database;
  /** Creation time of the blueprint's sinks and links (API calls use the request's time). */
  readonly clock: Clock;
  /** IAM's refusal text for a resource policy document (`validatePolicyDocument(doc, 'resource')`), or undefined. */
  readonly validatePolicy: (document: string) => string | undefined;
  /** Name and email of an account, for link labels (`OrgDirectory.account`); undefined when unknown. */
  readonly account: (accountId: string) => Promise<AccountFacts | undefined>;
}

/** `ObservabilityLinks` plus the labels the monitoring account shows its source accounts under. */
export interface OamLinks extends ObservabilityLinks {
  /** Source account id → its link's label, for every account linked to `monitoringAccount`'s sinks in `region`. */
  accountLabels(monitoringAccount: string, region: string): Promise<ReadonlyMap<string, string>>;
}

/** Sink policies and tags for the IAM enforcement (`PolicySources`). */
export interface OamPolicies {
  /** The sink policy of a sink ARN, with the sink ARN as id; undefined for a link, an unknown sink or one without policy. */
  resourcePolicy(resourceArn: string): Promise<{ readonly id: string; readonly document: string } | undefined>;
  /** Tags of a sink or link (`aws:ResourceTag/*`); undefined when there is no such resource. */
  resourceTags(resourceArn: string): Promise<Readonly<Record<string, string>> | undefined>;
}

/** Creates the blueprint's sinks and links inside the loader's transaction, refusing what the API would refuse. */
export interface OamSeeder {
  begin(trx: Kysely<any>): OamSeedBatch;
}

export interface OamSeedBatch {
  /** Returns the sink's ARN (stable for the same account, region and name). */
  createSink(input: { accountId: string; region: string; name: string; policy?: string; tags: Readonly<Record<string, string>> }): Promise<string>;
  createLink(input: {
    accountId: string;
    region: string;
    sinkArn: string;
    resourceTypes: readonly string[];
    labelTemplate: string;
    account: AccountFacts;
    tags: Readonly<Record<string, string>>;
  }): Promise<string>;
}

export interface OamService {
  readonly definition: ServiceDefinition;
  readonly links: OamLinks;
  readonly policies: OamPolicies;
  readonly seeder: OamSeeder;
  readonly migrations: Migration[];
}

export function createOamService(deps: OamDeps): OamService {
  const store = new OamStore(deps.db);
  const links: OamLinks = {
    async sourceAccounts(monitoringAccount, region, resourceType) {
      const found = await store.linksInto(monitoringAccount, region);
      const accounts = new Set(found.filter((l) => l.accountId !== monitoringAccount && l.resourceTypes.includes(resourceType)).map((l) => l.accountId));
      return [...accounts].sort();
    },
    async accountLabels(monitoringAccount, region) {
      const found = await store.linksInto(monitoringAccount, region);
      return new Map(found.map((l) => [l.accountId, l.label]));
    },
  };
  const policies: OamPolicies = {
    async resourcePolicy(resourceArn) {
      const name = parseOamArn(resourceArn);
      if (name?.kind !== 'sink') return undefined;
      const sink = await store.sink(name.arn);
      return sink?.policy !== undefined ? { id: sink.arn, document: sink.policy } : undefined;
    },
    async resourceTags(resourceArn) {
      const name = parseOamArn(resourceArn);
      if (!name) return undefined;
      const found = name.kind === 'sink' ? await store.sink(name.arn) : await store.link(name.arn);
      return found ? store.tags(found.arn) : undefined;
    },
  };
  const seeder: OamSeeder = {
    begin(trx) {
      return {
        async createSink(input) {
          const existing = await store.sinkOf(input.accountId, input.region, trx);
          if (existing) throw OamErrors.ConflictException(`A sink already exists in this account and Region: ${existing.arn}`);
          if (input.policy !== undefined) {
            const refusal = deps.validatePolicy(input.policy);
            if (refusal !== undefined) throw OamErrors.InvalidParameterException(`Invalid policy: ${refusal}`);
          }
          const id = seededId('sink', input.accountId, input.region, input.name);
          const arn = oamArn('sink', input.region, input.accountId, id);
          await store.insertSinks([{ arn, accountId: input.accountId, region: input.region, id, name: input.name, ...(input.policy !== undefined ? { policy: input.policy } : {}), createdAt: deps.clock.now() }], trx);
          await store.putTags(arn, input.tags, trx);
          return arn;
        },
        async createLink(input) {
          const sink = await checkNewLink(store, { sourceAccount: input.accountId, region: input.region, sinkIdentifier: input.sinkArn }, trx);
          const id = seededId('link', input.accountId, input.region, sink.arn);
          const link: Link = {
            arn: oamArn('link', input.region, input.accountId, id),
            accountId: input.accountId,
            region: input.region,
            id,
            sinkArn: sink.arn,
            label: await labelFor({ account: async () => input.account }, input.accountId, input.labelTemplate),
            labelTemplate: input.labelTemplate,
            resourceTypes: [...new Set(input.resourceTypes)],
            createdAt: deps.clock.now(),
          };
          await store.insertLinks([link], trx);
          await store.putTags(link.arn, input.tags, trx);
          return link.arn;
        },
      };
    },
  };
  return {
    definition: { name: 'oam', handlers: oamHandlers({ store, account: deps.account, validatePolicy: deps.validatePolicy }), authz: oamAuthz(store) },
    links,
    policies,
    seeder,
    migrations,
  };
}
