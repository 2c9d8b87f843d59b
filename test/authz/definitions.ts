/**
 * Every service mlzone serves, composed the way `src/app/create-app.ts` composes them, over an in-memory
 * SQLite database. The authz declaration test and `scripts/coverage.ts` read the definitions from here.
 *
 * create-app keeps its list inline (`createServiceRegistry([sts.definition, iam.definition, …])`), so this
 * is the one place to extend when a service is added there. `definitions.test.ts` compares the services
 * create-app imports with `SERVED` and fails until both agree.
 */
import { fixedClock } from '../../src/core/clock.js';
import type { Clock } from '../../src/core/clock.js';
import type { ServiceDefinition } from '../../src/core/service.js';
import { validatePolicyDocument } from '../../src/iam/compile.js';
import type { Database, Migration } from '../../src/persistence/db.js';
import { runMigrations } from '../../src/persistence/migrate.js';
import { openSqlite } from '../../src/persistence/sqlite/index.js';
import { createIamService } from '../../src/services/iam/index.js';
import type { IamService } from '../../src/services/iam/index.js';
import { createOrganizationsService } from '../../src/services/organizations/index.js';
import type { OrganizationsService } from '../../src/services/organizations/index.js';
import { createStsService } from '../../src/services/sts/index.js';
import { createCloudTrailService } from '../../src/services/cloudtrail/index.js';
import { createEcrService } from '../../src/services/ecr/index.js';
import { createS3Service } from '../../src/services/s3/index.js';
import { createEphemeralBlobStore } from '../../src/persistence/blob/index.js';
import { createSageMakerService } from '../../src/services/sagemaker/index.js';
import { createSageMakerRuntimeService } from '../../src/services/sagemaker-runtime/index.js';
import { createOamService } from '../../src/services/oam/index.js';
import { createAthenaService } from '../../src/services/athena/index.js';
import { createLogsService } from '../../src/services/logs/index.js';
import { createCloudWatchService } from '../../src/services/cloudwatch/index.js';
import { createGlueService } from '../../src/services/glue/index.js';
import { createLakeFormationService } from '../../src/services/lakeformation/index.js';
import { createRamService } from '../../src/services/ram/index.js';
import type { ContainerRuntime } from '../../src/runtime/types.js';
import type { RoleCredentialsPort } from '../../src/core/role-credentials.js';

/** The survey only asks each operation what it authorizes; Lake Formation's credential vending never runs here. */
const noRoleCredentials: RoleCredentialsPort = {
  assume: () => Promise.reject(new Error('no credential vending in the declarations survey')),
  serviceLinkedRole: () => Promise.reject(new Error('no credential vending in the declarations survey')),
};

/** No container ever starts here: the declarations are checked, not the deployments. */
const noContainers: ContainerRuntime = {
  startHosting: () => Promise.reject(new Error('no containers in the authz survey')),
  running: () => [],
  close: () => Promise.resolve(),
};

/** The `src/services/<dir>` folders whose service create-app registers, in its registration order. */
export const SERVED = ['sts', 'iam', 'organizations', 'cloudtrail', 'ecr', 's3', 'sagemaker', 'sagemaker-runtime', 'oam', 'logs', 'athena', 'cloudwatch', 'glue', 'lakeformation', 'ram'] as const;

export interface Services {
  readonly db: Database;
  /** In create-app's registration order. */
  readonly definitions: readonly ServiceDefinition[];
  readonly iam: IamService;
  readonly org: OrganizationsService;
  close(): Promise<void>;
}

/** Creates every served service (and, unless `migrate: false`, their schema) on a fresh in-memory database. */
export async function openServices(options: { clock?: Clock; migrate?: boolean } = {}): Promise<Services> {
  const clock = options.clock ?? fixedClock(Date.UTC(2026, 0, 15, 12, 0, 0));
  const db = openSqlite({ file: ':memory:' });
  const blobs = await createEphemeralBlobStore();
  try {
    const iam = createIamService({ db, clock });
    const org = createOrganizationsService({ db, clock });
    const sts = createStsService({ db, clock, iam: iam.directory, validateSessionPolicy: (doc) => validatePolicyDocument(doc, 'session'), sessionKey: 'authz-definitions' });
    const cloudtrail = createCloudTrailService({ db, clock });
    const ecr = createEcrService({ db, clock, defaultRegion: 'us-east-1', validatePolicy: (doc) => validatePolicyDocument(doc, 'resource'), iam: iam.directory });
    const s3 = createS3Service({ db, clock, blobs, validatePolicy: (doc) => validatePolicyDocument(doc, 'resource') });
    const sagemaker = createSageMakerService({
      db,
      clock,
      validatePolicy: (doc) => validatePolicyDocument(doc, 'resource'),
      hosting: {
        runtime: noContainers,
        jobs: { startJob: () => Promise.reject(new Error('no jobs in the authz survey')) },
        jobConcurrency: 1,
        endpointUrl: () => 'http://127.0.0.1:1',
        packDirectory: () => Promise.resolve(Buffer.alloc(0)),
        internal: () => {
          throw new Error('no internal calls in the authz survey');
        },
        executionRoles: { assume: () => Promise.reject(new Error('no roles in the authz survey')), session: () => Promise.reject(new Error('no roles in the authz survey')) },
        knownImage: () => undefined,
        isLandingZoneAccount: () => false,
        extractModel: () => Promise.resolve(),
        workDir: '/nonexistent',
        startupTimeoutMs: 1000,
        invocationTimeoutMs: 1000,
      },
    });
    const sagemakerRuntime = createSageMakerRuntimeService({ endpoints: sagemaker.endpoints });
    const athena = createAthenaService({
      db,
      clock,
      objects: s3.files,
      internal: () => {
        throw new Error('no internal calls in the authz survey');
      },
    });
    const oam = createOamService({ db, clock, validatePolicy: (doc) => validatePolicyDocument(doc, 'resource'), account: (id) => org.directory.account(id) });
    const logs = createLogsService({ db, clock });
    const cloudwatch = createCloudWatchService({ db, clock });
    const glue = createGlueService({ db, validatePolicy: (doc) => validatePolicyDocument(doc, 'resource') });
    const ram = createRamService({ db, org: { organization: () => org.directory.organization(), orgPath: (id) => org.directory.orgPath(id) }, resourceExists: (arn) => glue.catalog.exists(arn) });
    const lakeformation = createLakeFormationService({ db, glue: glue.catalog, ram: ram.lake, roles: noRoleCredentials });
    glue.govern(lakeformation.governance, (owner) => ram.lake.consumersOf(owner));
    const migrations: Migration[] = [...iam.migrations, ...org.migrations, ...sts.migrations, ...cloudtrail.migrations, ...ecr.migrations, ...s3.migrations, ...sagemaker.migrations, ...oam.migrations, ...logs.migrations, ...athena.migrations, ...cloudwatch.migrations, ...glue.migrations, ...ram.migrations, ...lakeformation.migrations];
    if (options.migrate !== false) await runMigrations(db, migrations);
    const definitions = [sts.definition, iam.definition, org.definition, cloudtrail.definition, ecr.definition, s3.definition, sagemaker.definition, sagemakerRuntime.definition, oam.definition, logs.definition, athena.definition, cloudwatch.definition, glue.definition, lakeformation.definition, ram.definition];
    return {
      db,
      definitions,
      iam,
      org,
      async close() {
        try {
          await athena.close();
          await sagemaker.close();
          await cloudtrail.sink.flush();
        } finally {
          await db.close();
          await blobs.close();
        }
      },
    };
  } catch (e) {
    await db.close().catch(() => undefined);
    await blobs.close().catch(() => undefined);
    throw e;
  }
}
