/**
 * The blueprint loader end to end on a real database: what the default blueprint leaves in every table
 * (compared with a recorded snapshot, random ids replaced by what they name), and that a blueprint one of
 * the seeders refuses fails with that seeder's error and leaves every table empty. Runs on SQLite, and on
 * PostgreSQL too when MLZONE_TEST_PG is set.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../core/clock.js';
import { isAwsError } from '../core/errors.js';
import { validatePolicyDocument } from '../iam/compile.js';
import { loadBlueprintFile, defaultBlueprintPath } from '../org/blueprint.js';
import type { Blueprint, BlueprintAccount, BlueprintRole } from '../org/blueprint-types.js';
import { createEphemeralBlobStore } from '../persistence/blob/index.js';
import type { Database } from '../persistence/db.js';
import { MIGRATIONS_TABLE, runMigrations } from '../persistence/migrate.js';
import { dropTestSchema, openTestPostgres, testSchemaOf } from '../persistence/postgres/testing.js';
import { openSqlite } from '../persistence/sqlite/index.js';
import { createEcrService } from '../services/ecr/index.js';
import { createIamService } from '../services/iam/index.js';
import { createOamService } from '../services/oam/index.js';
import { createOrganizationsService } from '../services/organizations/index.js';
import { createS3Service } from '../services/s3/index.js';
import { seedBlueprint } from './seed-blueprint.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const pgUrl = process.env.MLZONE_TEST_PG;

interface Backend {
  readonly name: string;
  open(): Promise<Database>;
  dispose(db: Database): Promise<void>;
}

const backends: Backend[] = [{ name: 'sqlite', open: async () => openSqlite({ file: ':memory:' }), dispose: (db) => db.close() }];
if (pgUrl) {
  backends.push({
    name: 'postgres',
    open: async () => openTestPostgres(pgUrl),
    async dispose(db) {
      await db.close();
      await dropTestSchema(pgUrl, testSchemaOf(db));
    },
  });
}

/** The services the loader seeds, over a freshly migrated database, as create-app wires them. */
async function landingZone(db: Database) {
  const clock = fixedClock(T0);
  const validatePolicy = (doc: string) => validatePolicyDocument(doc, 'resource');
  const org = createOrganizationsService({ db, clock });
  const iam = createIamService({ db, clock });
  const ecr = createEcrService({ db, clock, defaultRegion: 'us-east-1', validatePolicy, iam: iam.directory });
  const s3 = createS3Service({ db, clock, blobs: await createEphemeralBlobStore(), validatePolicy, log: () => undefined });
  const oam = createOamService({ db, clock, validatePolicy, account: (id) => org.directory.account(id) });
  await runMigrations(db, [...org.migrations, ...iam.migrations, ...ecr.migrations, ...s3.migrations, ...oam.migrations]);
  return { seeders: { org: org.seeder, iam: iam.seeder, ecr: ecr.seeder, s3: s3.seeder, oam: oam.seeder }, org, iam, oam };
}

async function tableNames(db: Database): Promise<string[]> {
  const rows =
    db.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db.kysely)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db.kysely);
  return rows.rows.map((r) => r.name).filter((n) => n !== MIGRATIONS_TABLE).sort();
}

type Row = Record<string, unknown>;

/**
 * Every table's rows, sorted, keys sorted, with the randomly generated ids (IAM unique ids, OU and
 * policy ids) replaced by a label naming the entity, so two seedings compare equal when they created
 * the same things with the same references.
 */
async function dump(db: Database): Promise<Record<string, Row[]>> {
  const tables: Record<string, Row[]> = {};
  for (const name of await tableNames(db)) tables[name] = (await db.kysely.selectFrom(name).selectAll().execute()) as Row[];
  const labels = new Map<string, string>();
  const label = (table: string, id: string, what: (r: Row) => string) => {
    for (const r of tables[table] ?? []) labels.set(String(r[id]), `<${what(r)}>`);
  };
  label('iam_users', 'user_id', (r) => `user ${String(r['account_id'])}/${String(r['user_name'])}`);
  label('iam_roles', 'role_id', (r) => `role ${String(r['account_id'])}/${String(r['role_name'])}`);
  label('iam_groups', 'group_id', (r) => `group ${String(r['account_id'])}/${String(r['group_name'])}`);
  label('iam_managed_policies', 'policy_id', (r) => `policy ${String(r['arn'])}`);
  label('orgs_ou', 'id', (r) => `ou ${String(r['name'])}`);
  label('orgs_policy', 'id', (r) => `org policy ${String(r['name'])}`);
  const out: Record<string, Row[]> = {};
  for (const [name, rows] of Object.entries(tables)) {
    out[name] = rows
      .map((r) => Object.fromEntries(Object.keys(r).sort().map((k) => [k, typeof r[k] === 'string' ? (labels.get(r[k]) ?? r[k]) : r[k]])))
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return out;
}

function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  return p.then(
    () => {
      throw new Error('expected the seed to fail');
    },
    (e: unknown) => (isAwsError(e) ? { code: e.code, message: e.message } : { code: 'not an AwsError', message: String(e) }),
  );
}

const defaults = loadBlueprintFile(defaultBlueprintPath());

/** The default blueprint with one account changed. */
function withAccount(name: string, change: (a: BlueprintAccount) => BlueprintAccount, bp: Blueprint = defaults): Blueprint {
  return { ...bp, accounts: bp.accounts.map((a) => (a.name === name ? change(a) : a)) };
}

function withRole(account: string, role: string, change: (r: BlueprintRole) => BlueprintRole): Blueprint {
  return withAccount(account, (a) => ({ ...a, roles: a.roles.map((r) => (r.name === role ? change(r) : r)) }));
}

const last = defaults.accounts[defaults.accounts.length - 1]!;

describe.each(backends)('seedBlueprint on $name', (backend) => {
  let db: Database | undefined;
  afterEach(async () => {
    if (db) await backend.dispose(db);
    db = undefined;
  });

  it('leaves exactly the recorded organization, IAM entities, buckets and repositories', async () => {
    db = await backend.open();
    const zone = await landingZone(db);
    await seedBlueprint(db, defaults, zone.seeders);
    const seeded = await dump(db);
    // One recorded file for every backend.
    await expect(JSON.stringify(seeded, null, 2) + '\n').toMatchFileSnapshot('__snapshots__/default-blueprint.seeded.json');

    // The caches were dropped: the published views see the seeded state.
    expect((await zone.org.directory.accounts()).map((a) => a.name)).toEqual(
      [...defaults.accounts].sort((a, b) => (a.id < b.id ? -1 : 1)).map((a) => a.name),
    );
    const ds1 = defaults.accounts.find((a) => a.name === 'data-science-1')!;
    expect((await zone.org.directory.policiesFor(ds1.id, 'SERVICE_CONTROL_POLICY')).map((level) => level.map((p) => p.name))).toEqual([
      ['FullAWSAccess'],
      ['FullAWSAccess'],
      ['FullAWSAccess', 'DataScienceCannotReadProduction'],
      ['FullAWSAccess'],
    ]);
    // The monitoring account sees the linked workload accounts, not data-science-2.
    expect(await zone.oam.links.sourceAccounts('222222222222', defaults.organization.region, 'AWS::Logs::LogGroup')).toEqual(['444444444444', '666666666666', '777777777777']);
    const key = defaults.accounts[0]!.users[0]!.accessKeys[0]!;
    expect((await zone.iam.directory.findAccessKey(key.id))?.secretAccessKey).toBe(key.secret);
  });

  const refused: Array<[string, () => Blueprint, { code: string; message: string }]> = [
    [
      'an SCP the policy grammar rejects',
      () => ({ ...defaults, serviceControlPolicies: [...defaults.serviceControlPolicies, { name: 'Bad', description: '', targets: ['Root'], document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' }] }),
      { code: 'MalformedPolicyDocumentException', message: 'Policy statement must contain actions.' },
    ],
    [
      'two SCPs with one name',
      () => ({ ...defaults, serviceControlPolicies: [...defaults.serviceControlPolicies, defaults.serviceControlPolicies[0]!] }),
      { code: 'DuplicatePolicyException', message: 'A policy with the same name already exists.' },
    ],
    [
      'two accounts with one email',
      () => withAccount(last.name, (a) => ({ ...a, email: defaults.accounts[0]!.email })),
      { code: 'DuplicateAccountException', message: 'That account is already present in the specified destination.' },
    ],
    [
      'a user name used twice in an account (IAM names ignore case)',
      () => withAccount(last.name, (a) => ({ ...a, users: [...a.users, { ...a.users[0]!, name: a.users[0]!.name.toUpperCase(), accessKeys: [] }] })),
      { code: 'EntityAlreadyExists', message: 'User with name CATALOG-ADMIN already exists.' },
    ],
    [
      'an access key id used by two users',
      () => withAccount(last.name, (a) => ({ ...a, users: [...a.users, { ...a.users[0]!, name: 'second', accessKeys: a.users[0]!.accessKeys }] })),
      { code: 'EntityAlreadyExists', message: `Access key ${last.users[0]!.accessKeys[0]!.id} already exists.` },
    ],
    [
      'a managed policy that does not exist',
      () => withRole(last.name, last.roles[last.roles.length - 1]!.name, (r) => ({ ...r, managedPolicies: [...r.managedPolicies, 'arn:aws:iam::aws:policy/NoSuchPolicy'] })),
      { code: 'NoSuchEntity', message: 'Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.' },
    ],
    [
      'an inline policy the grammar rejects',
      () => withRole(last.name, last.roles[last.roles.length - 1]!.name, (r) => ({ ...r, inlinePolicies: { ...r.inlinePolicies, bad: '{"Statement":[{"Effect":"Maybe"}]}' } })),
      { code: 'MalformedPolicyDocument', message: 'Syntax errors in policy.' },
    ],
    [
      'a trust policy naming a malformed principal',
      () =>
        withRole(last.name, last.roles[0]!.name, (r) => ({
          ...r,
          trustPolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'not-an-arn' }, Action: 'sts:AssumeRole' }] }),
        })),
      { code: 'MalformedPolicyDocument', message: 'Invalid principal in policy: "AWS":"not-an-arn"' },
    ],
    [
      'a role with a session duration out of range',
      () => withRole(last.name, last.roles[0]!.name, (r) => ({ ...r, maxSessionDuration: 60 })),
      {
        code: 'ValidationError',
        message: "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
      },
    ],
    [
      'a bucket name S3 rejects',
      () => withAccount(last.name, (a) => ({ ...a, buckets: [...a.buckets, { name: 'Not_A_Bucket', tags: {} }] })),
      { code: 'InvalidBucketName', message: 'The specified bucket is not valid.' },
    ],
    [
      'a repository created twice',
      () => withAccount('shared-services', (a) => ({ ...a, repositories: [...a.repositories, a.repositories[0]!] })),
      { code: 'RepositoryAlreadyExistsException', message: "The repository with name 'mlzone/training' already exists in the registry with id '222222222222'" },
    ],
    [
      'a sink policy the grammar rejects',
      () => withAccount('shared-services', (a) => ({ ...a, sink: { ...a.sink!, policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' } })),
      { code: 'InvalidParameterException', message: 'Invalid policy: Policy statement must contain actions.' },
    ],
    [
      // Accounts are seeded in blueprint order, each with its IAM entities, then its buckets and repositories.
      'two problems: the first in blueprint order is reported',
      () =>
        withAccount(
          'shared-services',
          (a) => ({ ...a, buckets: [...a.buckets, { name: 'Not_A_Bucket', tags: {} }] }),
          withAccount('data-lake', (a) => ({ ...a, users: [...a.users, a.users[0]!] })),
        ),
      { code: 'InvalidBucketName', message: 'The specified bucket is not valid.' },
    ],
  ];

  it.each(refused)('refuses %s with the seeder error and leaves every table empty', async (_, blueprint, expected) => {
    db = await backend.open();
    const zone = await landingZone(db);
    const err = await failure(seedBlueprint(db, blueprint(), zone.seeders));
    expect(err.code).toBe(expected.code);
    expect(err.message).toBe(expected.message);
    const left = Object.entries(await dump(db)).filter(([, rows]) => rows.length > 0);
    expect(left).toEqual([]);
    expect(await zone.org.directory.organization()).toBeUndefined();
  });
});
