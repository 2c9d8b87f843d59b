/**
 * The composition root: opens the database, creates every service with its concrete adapters, applies
 * the blueprint on first start, and serves the gateway. Nothing else in mlzone picks an adapter.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import type { Database, Migration } from '../persistence/db.js';
import { runMigrations } from '../persistence/migrate.js';
import { openSqlite } from '../persistence/sqlite/index.js';
import { createModelRegistry } from '../spec/load.js';
import { validatePolicyDocument } from '../iam/compile.js';
import { createIamService } from '../services/iam/index.js';
import { createOrganizationsService } from '../services/organizations/index.js';
import { createAccountProvisioner } from './account-provisioner.js';
import { createTrailWriter } from './trail-writer.js';
import { organizationStatus } from './org-status.js';
import { createStsService } from '../services/sts/index.js';
import { createEcrService } from '../services/ecr/index.js';
import { createS3Service } from '../services/s3/index.js';
import { createOamService, type OamLinks } from '../services/oam/index.js';
import { createAthenaService } from '../services/athena/index.js';
import { createGlueService } from '../services/glue/index.js';
import { createLakeFormationService } from '../services/lakeformation/index.js';
import type { RoleCredentialsPort } from '../core/role-credentials.js';
import { createRamService } from '../services/ram/index.js';
import { createEphemeralBlobStore, createFsBlobStore, type BlobStore } from '../persistence/blob/index.js';
import { createCloudTrailService } from '../services/cloudtrail/index.js';
import { createLogsService } from '../services/logs/index.js';
import { createCloudWatchService, type CloudWatchService } from '../services/cloudwatch/index.js';
import { createSageMakerService, type EndpointInvoker, type ExecutionRoles } from '../services/sagemaker/index.js';
import { createSageMakerRuntimeService } from '../services/sagemaker-runtime/index.js';
import { builtinMetricDefinitions, createModelArtifactFromDir, createProcessRuntime, extractModelArtifact } from '../runtime/index.js';
import { availableParallelism } from 'node:os';
import { knownImages } from './container-images.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Principal } from '../core/principal.js';
import type { DataCatalogPort } from '../core/data-catalog.js';
import { createServiceRegistry, type ServiceRegistry } from '../gateway/service-registry.js';
import { createAuthenticator } from '../gateway/authenticate.js';
import { allowAll } from '../gateway/authorizer.js';
import { createIamAuthorizer } from '../gateway/enforce/iam-authorizer.js';
import { createDecisionLog } from './decisions.js';
import { createPolicySources } from './policy-sources.js';
import { createGate } from '../gateway/admission.js';
import { createPipeline } from '../gateway/pipeline.js';
import { createInternalClient, servicePrincipal, type InternalClient } from '../gateway/internal-client.js';
import { startServer, type RunningServer, type WireHandler } from '../gateway/server.js';
import { defaultBlueprintPath, loadBlueprintFile } from '../org/blueprint.js';
import type { Blueprint } from '../org/blueprint-types.js';
import type { AppConfig } from './config.js';
import { adminEndpoints } from './admin.js';
import { EventLog } from './event-log.js';
import { metaMigrations, readMeta, writeMeta } from './meta.js';
import { seedBlueprint } from './seed-blueprint.js';
import { blueprintSeed } from './session-key.js';
import { BlueprintMismatchError } from './blueprint-mismatch.js';

import { packageVersion } from './version.js';

/** CloudTrail events an `--ephemeral` server keeps per account unless configured (the newest; older ones go). */
const EPHEMERAL_EVENTS_PER_ACCOUNT = 10_000;

export interface App {
  readonly url: string;
  readonly port: number;
  readonly blueprint: Blueprint;
  readonly services: ServiceRegistry;
  /** True when this start applied the blueprint (a fresh data dir or an ephemeral run). */
  readonly seeded: boolean;
  /** In-process calls as a given principal, through the same authorization and audit as HTTP calls. */
  readonly internal: InternalClient;
  /** The whole request chain (authentication included) without HTTP: what the server runs for each request. */
  readonly handle: WireHandler;
  /** The endpoints running in this process (`mlzone status`, tests, benchmarks). */
  readonly endpoints: Pick<EndpointInvoker, 'running'>;
  /**
   * Cross-account observability: `oam.links` is the `ObservabilityLinks` port (core/observability.ts) that
   * CloudWatch metrics and Logs ask which source accounts a monitoring account sees, plus the accounts' labels.
   */
  readonly oam: { readonly links: OamLinks };
  /** The governed catalog Athena queries (Glue + Lake Formation + RAM), for benchmarks that time the engine alone. */
  readonly lake: { readonly catalog: DataCatalogPort };
  /** CloudWatch's alarm/retention tick and metrics sink (tests run the tick instead of waiting for the timer). */
  readonly cloudwatch: Pick<CloudWatchService, 'tick' | 'sink'>;
  /** Waits for background work in flight (endpoint deployments), for tests. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** The event history's caps from the configuration; an in-memory database is capped by events when nothing is set. */
function auditRetention(config: AppConfig) {
  const h = config.auditHistory ?? {};
  // An in-memory database would otherwise grow with every call for the life of the process.
  const maxEvents = h.maxEventsPerAccount ?? (config.ephemeral && h.maxBytesPerAccount === undefined ? EPHEMERAL_EVENTS_PER_ACCOUNT : undefined);
  return {
    ...(maxEvents !== undefined ? { maxEvents } : {}),
    ...(h.maxBytesPerAccount !== undefined ? { maxBytes: h.maxBytesPerAccount } : {}),
    ...(h.sweepIntervalMs !== undefined ? { intervalMs: h.sweepIntervalMs } : {}),
  };
}

async function openDatabase(config: AppConfig): Promise<Database> {
  if (config.databaseUrl) {
    // Loaded only when asked for: importing `pg` costs ~40 ms CPU of every SQLite start-up otherwise.
    const { openPostgres } = await import('../persistence/postgres/index.js');
    return openPostgres({ connectionString: config.databaseUrl, schema: config.databaseSchema });
  }
  return openSqlite({ file: config.ephemeral ? ':memory:' : join(config.dataDir, 'mlzone.db') });
}

export async function createApp(config: AppConfig, clock: Clock = systemClock): Promise<App> {
  const blueprintPath = config.blueprintPath ?? defaultBlueprintPath();
  const blueprint = loadBlueprintFile(blueprintPath);
  const db = await openDatabase(config);
  let blobs: BlobStore | undefined;
  let containers: { close(): Promise<void> } | undefined;
  let stopEndpoints: (() => Promise<void>) | undefined;
  let stopAthena: (() => Promise<void>) | undefined;
  let stopRetention: (() => Promise<void>) | undefined;
  let scratch: string | undefined;
  try {
    const blobStore = config.ephemeral ? await createEphemeralBlobStore() : await createFsBlobStore(join(config.dataDir, 'blobs'));
    blobs = blobStore;
    let internalClient: InternalClient | undefined;
    const internalLate = (): InternalClient => {
      if (!internalClient) throw new Error('internal client used before the services were registered');
      return internalClient;
    };
    // S3 is created after CloudTrail, whose trails write to it.
    let s3Ref: { policies: { bucketOwner(bucket: string): Promise<string | undefined> } } | undefined;
    const s3Late = () => s3Ref!;
    const org = createOrganizationsService({
      db,
      clock,
      provisioner: createAccountProvisioner(() => iam.seeder),
      reservedAccountId: (id) => blueprint.accounts.some((a) => a.id === id),
      // The blueprint's accounts outside the organization can be invited under their own name and email.
      knownAccount: (id) => {
        const a = blueprint.accounts.find((x) => x.id === id && x.outsideOrganization);
        return a && { name: a.name, email: a.email };
      },
      log: (msg, err) => config.log?.(err ? `${msg}: ${err instanceof Error ? err.message : String(err)}` : msg),
    });
    // The policy simulator evaluates member accounts' SCPs as enforcement does.
    const iam = createIamService({
      db,
      clock,
      organizations: {
        policiesFor: (accountId, type) => org.directory.policiesFor(accountId, type),
        managementAccountId: async () => (await org.directory.organization())?.managementAccountId,
      },
    });
    const sts = createStsService({ db, clock, iam: iam.directory, validateSessionPolicy: (doc) => validatePolicyDocument(doc, 'session'),
      sessionKey: config.sessionSecret ?? blueprintSeed(blueprint),
    });
    const cloudtrail = createCloudTrailService({
      db,
      clock,
      sink: { log: (msg, err) => config.log?.(err ? `${msg}: ${err instanceof Error ? err.message : String(err)}` : msg) },
      retention: auditRetention(config),
      writer: createTrailWriter(() => internalLate(), (bucket) => s3Late().policies.bucketOwner(bucket)),
      organization: {
        organization: async () => {
          const o = await org.directory.organization();
          return o && { id: o.id, managementAccountId: o.managementAccountId };
        },
        isMember: async (accountId) => (await org.directory.account(accountId)) !== undefined,
      },
      ...(config.trailDelivery ? { delivery: config.trailDelivery } : {}),
    });
    // CloudWatch Logs: the API, and the sink SageMaker's jobs and endpoints write their output through.
    // The monitoring account sees linked source accounts' log groups (oam is created below; the port is late-bound).
    const logs = createLogsService({ db, clock, links: { sourceAccounts: (...a) => oam.links.sourceAccounts(...a) }, log: (msg, err) => config.log?.(err ? `${msg}: ${err instanceof Error ? err.message : String(err)}` : msg) });
    const ecr = createEcrService({
      db,
      clock,
      defaultRegion: blueprint.organization.region,
      validatePolicy: (doc) => validatePolicyDocument(doc, 'resource'),
      iam: iam.directory,
    });
    const s3 = (s3Ref = createS3Service({
      db,
      clock,
      blobs: blobStore,
      validatePolicy: (doc) => validatePolicyDocument(doc, 'resource'),
      log: (msg, err) => config.log?.(err ? `${msg}: ${err instanceof Error ? err.message : String(err)}` : msg),
    }));
    // Link labels name the source account as Organizations knows it.
    const oam = createOamService({ db, clock, validatePolicy: (doc) => validatePolicyDocument(doc, 'resource'), account: (id) => org.directory.account(id) });
    const cloudwatch = createCloudWatchService({
      db,
      clock,
      links: oam.links,
      log: (msg, err) => config.log?.(err ? `${msg}: ${err instanceof Error ? err.message : String(err)}` : msg),
    });
    // Endpoints run their containers as child processes with models extracted under the data dir (a temporary one
    // when ephemeral); they make their calls as their execution role through the internal client, bound below.
    const runtime = createProcessRuntime(config.python ? { python: config.python } : {});
    containers = runtime;
    // Absolute: containers run with their own working directory and read the model dir from the environment.
    const workDir = config.ephemeral ? await mkdtemp(join(tmpdir(), 'mlzone-runtime-')) : resolve(config.dataDir, 'runtime');
    if (config.ephemeral) scratch = workDir;
    // SageMaker acting as a role: sts:AssumeRole by sagemaker.amazonaws.com (the role's trust policy decides), on
    // behalf of the resource that needs it.
    const session = async (roleArn: string, via: { readonly sourceArn: string; readonly sourceAccount: string }) => {
      const out = await internalLate().call<{ Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } }>({
        service: 'sts',
        operation: 'AssumeRole',
        input: { RoleArn: roleArn, RoleSessionName: `SageMaker-${clock.now()}`.slice(0, 64) },
        principal: servicePrincipal('sagemaker.amazonaws.com'),
        via: { sourceArn: via.sourceArn, sourceAccount: via.sourceAccount, calledVia: ['sagemaker.amazonaws.com'] },
      });
      const found = await sts.sessions.resolve(out.Credentials.AccessKeyId, out.Credentials.SessionToken, clock.now());
      if (found.kind !== 'ok') throw new Error(`the session of ${roleArn} could not be resolved (${found.kind})`);
      return {
        principal: found.principal as Principal,
        credentials: { accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretAccessKey, sessionToken: out.Credentials.SessionToken },
      };
    };
    const executionRoles: ExecutionRoles = { assume: async (roleArn, via) => (await session(roleArn, via)).principal, session };
    let serverUrl = '';
    const accountIds = new Set(blueprint.accounts.map((a) => a.id));
    const events = new EventLog();
    const sagemaker = createSageMakerService({
      db,
      clock,
      events,
      builtinMetrics: (image, hyperParameters) => builtinMetricDefinitions(image, hyperParameters),
      validatePolicy: (doc) => validatePolicyDocument(doc, 'resource'),
      hosting: {
        runtime,
        jobs: runtime,
        jobConcurrency: config.jobConcurrency ?? availableParallelism(),
        endpointUrl: () => serverUrl,
        packDirectory: (dir) => createModelArtifactFromDir(dir),
        internal: internalLate,
        executionRoles,
        knownImage: knownImages(blueprint.containerImages, blueprintPath),
        isLandingZoneAccount: (id) => accountIds.has(id),
        extractModel: (tarGz, dir) => extractModelArtifact(tarGz, dir),
        metrics: cloudwatch.sink,
        logs: logs.sink,
        workDir,
        startupTimeoutMs: config.containerStartupTimeoutMs ?? 60_000,
        invocationTimeoutMs: config.invocationTimeoutMs ?? 60_000,
        log: (msg) => (config.logContainers || !msg.startsWith('[') ? config.log?.(msg) : undefined),
      },
    });
    stopEndpoints = () => sagemaker.close();
    const sagemakerRuntime = createSageMakerRuntimeService({ endpoints: sagemaker.endpoints });
    // The governed lake: Glue holds the catalog, RAM carries cross-account shares, Lake Formation decides what each
    // caller sees (Glue's metadata answers through `govern`, Athena's views through `catalog`).
    const glue = createGlueService({ db, validatePolicy: (doc) => validatePolicyDocument(doc, 'resource') });
    const ram = createRamService({ db, org: { organization: () => org.directory.organization(), orgPath: (id) => org.directory.orgPath(id) }, resourceExists: (arn) => glue.catalog.exists(arn) });
    // Lake Formation's credential vending: the service assumes a location's registered role through STS (the
    // role's trust policy decides) and keeps its service-linked role, as AWS does.
    const lakeRoles: RoleCredentialsPort = {
      async assume({ roleArn, service, sessionName, policy, durationSeconds, sourceAccount }) {
        const out = await internalLate().call<{ Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: Date } }>({
          service: 'sts',
          operation: 'AssumeRole',
          input: { RoleArn: roleArn, RoleSessionName: sessionName, Policy: policy, DurationSeconds: durationSeconds },
          principal: servicePrincipal(service),
          via: { sourceAccount, calledVia: [service] },
        });
        const c = out.Credentials;
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration).getTime() };
      },
      async serviceLinkedRole({ account, service, roleName, policyName, policy }) {
        const role =
          (await iam.directory.getRole(account, roleName)) ??
          (await iam.seeder.createRole({
            accountId: account,
            roleName,
            path: `/aws-service-role/${service}/`,
            assumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] }),
            description: `Service-linked role of ${service}`,
          }));
        await iam.seeder.putRolePolicy({ accountId: account, roleName, policyName, document: policy });
        return role.arn;
      },
    };
    const lakeformation = createLakeFormationService({ db, glue: glue.catalog, ram: ram.lake, roles: lakeRoles });
    glue.govern(lakeformation.governance, (owner) => ram.lake.consumersOf(owner));
    // Athena reads the lake's files and writes results through S3 as the caller; the catalog port is the lake's.
    const athena = createAthenaService({ db, clock, catalog: config.catalog ?? lakeformation.catalog, objects: s3.files, internal: internalLate, log: (msg) => config.log?.(msg) });
    stopAthena = () => athena.close();
    const migrations: Migration[] = [...metaMigrations, ...iam.migrations, ...org.migrations, ...sts.migrations, ...cloudtrail.migrations, ...ecr.migrations, ...s3.migrations, ...sagemaker.migrations, ...oam.migrations, ...logs.migrations, ...athena.migrations, ...cloudwatch.migrations, ...glue.migrations, ...ram.migrations, ...lakeformation.migrations];
    logs.start();
    await runMigrations(db, migrations);
    const interrupted = await athena.recover();
    if (interrupted > 0) config.log?.(`athena: ${interrupted} query execution(s) left running by the previous process marked FAILED`);

    const fingerprint = createHash('sha256').update(JSON.stringify(blueprint)).digest('hex');
    const applied = await readMeta(db, 'blueprint');
    let seeded = false;
    if (!applied) {
      await seedBlueprint(db, blueprint, { iam: iam.seeder, org: org.seeder, ecr: ecr.seeder, s3: s3.seeder, oam: oam.seeder });
      await writeMeta(db, 'blueprint', fingerprint);
      seeded = true;
    } else if (applied !== fingerprint) {
      // Serving the old state under the new blueprint's banner would show one landing zone and run another.
      throw new BlueprintMismatchError(config, blueprintPath);
    }

    // CreateAccount requests a stop left in progress finish now.
    await org.accountRequests.resume();

    // Blobs a crash left without an object row (or half written) are freed before serving.
    const swept = await s3.sweep();
    if (swept > 0) config.log?.(`s3: freed ${swept} unreferenced blob(s)`);

    const models = createModelRegistry();
    const services = createServiceRegistry([sts.definition, iam.definition, org.definition, cloudtrail.definition, ecr.definition, s3.definition, sagemaker.definition, sagemakerRuntime.definition, oam.definition, logs.definition, athena.definition, cloudwatch.definition, glue.definition, lakeformation.definition, ram.definition], (name) => models.get(name), (name) => models.metadata(name));
    const managementId = blueprint.accounts.find((a) => a.name === blueprint.organization.managementAccount)!.id;
    const authenticator = createAuthenticator({
      mode: config.auth,
      defaultAccountId: managementId,
      sources: {
        findAccessKey: (id) => iam.directory.findAccessKey(id),
        resolveSession: (id, token, now) => sts.sessions.resolve(id, token, now),
      },
    });
    const version = packageVersion();
    const decisions = createDecisionLog();
    const authorizer = config.auth === 'strict' ? createIamAuthorizer(createPolicySources(iam.directory, org.directory, { ecr: ecr.registry, s3: s3.policies, sagemaker: sagemaker.policies, oam: oam.policies, glue: glue.policies })) : allowAll;
    const pipeline = createPipeline({
      services,
      authenticator,
      authorizer,
      onDecision: (id, ctx, record) => decisions.keep(id, ctx, record),
      audit: cloudtrail.sink,
      region: blueprint.organization.region,
      now: () => clock.now(),
      admin: adminEndpoints({
        version,
        services,
        blueprint,
        auth: config.auth,
        decisions,
        events,
        runningJobs: () => sagemaker.runningJobs(),
        organization: () => organizationStatus(db, org.directory, blueprint),
        queryAccess: (id) => athena.tableAccess(id),
        running: () =>
          sagemaker.endpoints.running().map((e) => ({
            accountId: e.accountId,
            region: e.region,
            name: e.name,
            variants: e.variants.map((v) => ({
              name: v.name,
              weight: v.weight,
              image: v.images.map((i) => i.specified).join(' | '),
              instances: v.instances.flatMap((i) => i.containers.map((c) => ({ ...(c.pid !== undefined ? { pid: c.pid } : {}), port: c.port, healthy: c.healthy(), ...(c.rssBytes() !== undefined ? { rssBytes: c.rssBytes() } : {}) }))),
            })),
          })),
      }),
      log: (msg, err) => config.log?.(`${msg}: ${err instanceof Error ? (err.stack ?? err.message) : JSON.stringify(err)}`),
    });
    const internal = (internalClient = createInternalClient({
      services,
      authorizer,
      audit: cloudtrail.sink,
      onDecision: (id, ctx, record) => decisions.keep(id, ctx, record),
      region: blueprint.organization.region,
      now: () => clock.now(),
    }));
    const server: RunningServer = await startServer(pipeline, {
      host: config.host,
      port: config.port,
      gate: createGate({ services, mode: config.auth, authenticator, now: () => clock.now() }),
      ...(config.bodyIdleTimeoutMs === undefined ? {} : { bodyIdleTimeoutMs: config.bodyIdleTimeoutMs }),
    });
    serverUrl = server.url;
    cloudwatch.start();
    cloudtrail.retention.start();
    stopRetention = () => cloudtrail.retention.close();
    // Endpoints that were serving before this start serve again (their processes start in the background).
    await sagemaker.restore();
    return {
      url: server.url,
      port: server.port,
      blueprint,
      services,
      seeded,
      internal,
      handle: pipeline,
      endpoints: sagemaker.endpoints,
      oam: { links: oam.links },
      lake: { catalog: config.catalog ?? lakeformation.catalog },
      cloudwatch,
      settle: async () => {
        await org.accountRequests.settle();
        await sagemaker.settle();
      },
      async close() {
        await server.close();
        logs.close();
        try {
          await org.accountRequests.settle();
          await athena.close();
          await sagemaker.close();
          await runtime.close();
          await cloudwatch.stop();
          await cloudtrail.retention.close();
          await cloudtrail.sink.flush();
          await cloudtrail.deliver();
        } finally {
          await db.close();
          await blobStore.close();
          if (scratch) await rm(scratch, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    await stopEndpoints?.().catch(() => undefined);
    await stopAthena?.().catch(() => undefined);
    await stopRetention?.().catch(() => undefined);
    await containers?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    await blobs?.close().catch(() => undefined);
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}
