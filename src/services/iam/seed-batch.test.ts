/**
 * The IAM seed batch against the per-call seeder it stands in for: the same rows for the same input, and
 * the same error for every input the per-call seeder refuses.
 */
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { isAwsError } from '../../core/errors.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete backend; in production only app/ picks one
import { openSqlite } from '../../persistence/sqlite/index.js';
import { createIamService } from './index.js';
import type { IamSeeder, SeedPolicies, SeedRole, SeedUser } from './index.js';
import { ACCOUNT, OTHER_ACCOUNT, T0 } from './test-support.js';

type Entity = { user: SeedUser & SeedPolicies } | { role: SeedRole & SeedPolicies };

const trust = (principal: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });
const allow = (action: string, pad = 0) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(pad) || undefined, Effect: 'Allow', Action: action, Resource: '*' }] });
const LOCAL_POLICY = `arn:aws:iam::${ACCOUNT}:policy/team/Boundary`;
const key = (n: number) => ({ accessKeyId: `AKIATESTKEY0000000${String(n).padStart(2, '0')}`, secretAccessKey: `secret${n}` });

/** An IAM service on a fresh database that already holds one local managed policy and one user with a key. */
async function setUp(): Promise<{ db: Database; seeder: IamSeeder }> {
  const db = openSqlite({ file: ':memory:' });
  const iam = createIamService({ db, clock: fixedClock(T0) });
  await runMigrations(db, iam.migrations);
  await iam.seeder.createPolicy({ accountId: ACCOUNT, policyName: 'Boundary', path: '/team/', document: allow('s3:*') });
  await iam.seeder.createUser({ accountId: OTHER_ACCOUNT, userName: 'existing', accessKeys: [key(99)] });
  return { db, seeder: iam.seeder };
}

/** The per-call seeder, one call per step, as the loader used to do it. */
async function oneByOne(seeder: IamSeeder, db: Database, entities: readonly Entity[]): Promise<void> {
  await db.transaction(async (trx) => {
    for (const e of entities) {
      if ('user' in e) {
        const { managedPolicies, inlinePolicies, ...user } = e.user;
        await seeder.createUser(user, trx);
        for (const arn of managedPolicies ?? []) await seeder.attachUserPolicy({ accountId: user.accountId, userName: user.userName, policyArn: arn }, trx);
        for (const [name, doc] of Object.entries(inlinePolicies ?? {})) {
          await seeder.putUserPolicy({ accountId: user.accountId, userName: user.userName, policyName: name, document: doc }, trx);
        }
      } else {
        const { managedPolicies, inlinePolicies, ...role } = e.role;
        await seeder.createRole(role, trx);
        for (const arn of managedPolicies ?? []) await seeder.attachRolePolicy({ accountId: role.accountId, roleName: role.roleName, policyArn: arn }, trx);
        for (const [name, doc] of Object.entries(inlinePolicies ?? {})) {
          await seeder.putRolePolicy({ accountId: role.accountId, roleName: role.roleName, policyName: name, document: doc }, trx);
        }
      }
    }
  });
}

async function batched(seeder: IamSeeder, db: Database, entities: readonly Entity[]): Promise<void> {
  await db.transaction(async (trx) => {
    const batch = await seeder.begin(trx, {
      accountIds: [ACCOUNT, OTHER_ACCOUNT],
      accessKeyIds: entities.flatMap((e) => ('user' in e ? (e.user.accessKeys ?? []).map((k) => k.accessKeyId) : [])),
    });
    for (const e of entities) {
      if ('user' in e) batch.createUser(e.user);
      else batch.createRole(e.role);
    }
    await batch.save();
  });
}

const TABLES = ['iam_users', 'iam_access_keys', 'iam_roles', 'iam_tags', 'iam_attachments', 'iam_inline_policies', 'iam_managed_policies'] as const;

/** Every IAM row, with the random unique ids replaced by the entity they name. */
async function dump(db: Database): Promise<Record<string, unknown[]>> {
  const out: Record<string, Array<Record<string, unknown>>> = {};
  for (const t of TABLES) out[t] = (await db.kysely.selectFrom(t).selectAll().execute()) as Array<Record<string, unknown>>;
  const labels = new Map<unknown, string>();
  for (const u of out['iam_users']!) labels.set(u['user_id'], `<user ${String(u['user_name'])}>`);
  for (const r of out['iam_roles']!) labels.set(r['role_id'], `<role ${String(r['role_name'])}>`);
  for (const p of out['iam_managed_policies']!) labels.set(p['policy_id'], `<policy ${String(p['policy_name'])}>`);
  const norm = (rows: Array<Record<string, unknown>>) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, labels.get(v) ?? v]))).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return Object.fromEntries(Object.entries(out).map(([t, rows]) => [t, norm(rows)]));
}

async function outcome(run: typeof oneByOne, entities: readonly Entity[]): Promise<{ error?: string; tables: Record<string, unknown[]> }> {
  const { db, seeder } = await setUp();
  try {
    let error: string | undefined;
    try {
      await run(seeder, db, entities);
    } catch (e) {
      error = isAwsError(e) ? `${e.code}: ${e.message}` : `not an AwsError: ${String(e)}`;
    }
    return { ...(error !== undefined ? { error } : {}), tables: await dump(db) };
  } finally {
    await db.close();
  }
}

const good: Entity[] = [
  {
    user: {
      accountId: ACCOUNT,
      userName: 'alice',
      path: '/people/',
      permissionsBoundaryArn: LOCAL_POLICY,
      tags: [{ Key: 'team', Value: 'ds' }, { Key: 'Cost', Value: '42' }],
      accessKeys: [key(1), key(2)],
      managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess', LOCAL_POLICY, 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
      inlinePolicies: { one: allow('s3:GetObject'), two: allow('s3:PutObject') },
    },
  },
  { user: { accountId: OTHER_ACCOUNT, userName: 'bob' } },
  {
    role: {
      accountId: ACCOUNT,
      roleName: 'Worker',
      path: '/svc/',
      description: 'does the work',
      maxSessionDuration: 7200,
      permissionsBoundaryArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
      tags: [{ Key: 'tier', Value: 'gold' }],
      // A role created later in the batch, in another account: trust may name what does not exist yet.
      assumeRolePolicyDocument: trust({ AWS: [`arn:aws:iam::${OTHER_ACCOUNT}:role/Later`, ACCOUNT] }),
      managedPolicies: [LOCAL_POLICY],
      inlinePolicies: { work: allow('sqs:*') },
    },
  },
  { role: { accountId: OTHER_ACCOUNT, roleName: 'Later', assumeRolePolicyDocument: trust({ Service: 'sagemaker.amazonaws.com' }) } },
];

const alice = good[0] as { user: SeedUser & SeedPolicies };
const worker = good[2] as { role: SeedRole & SeedPolicies };
const withUser = (change: Partial<SeedUser & SeedPolicies>): Entity[] => [{ user: { ...alice.user, ...change } }, ...good.slice(1)];
const withRole = (change: Partial<SeedRole & SeedPolicies>): Entity[] => [...good.slice(0, 2), { role: { ...worker.role, ...change } }, good[3]!];
const elevenPolicies = [
  'ReadOnlyAccess',
  'PowerUserAccess',
  'AdministratorAccess',
  'AmazonS3FullAccess',
  'AmazonS3ReadOnlyAccess',
  'AmazonEC2ContainerRegistryPowerUser',
  'AWSGlueConsoleFullAccess',
  'AWSLakeFormationDataAdmin',
  'AmazonSageMakerFullAccess',
  'AmazonAthenaFullAccess',
  'IAMReadOnlyAccess',
].map((name) => `arn:aws:iam::aws:policy/${name}`);

describe('IAM seed batch', () => {
  it('leaves the same rows as the per-call seeder', async () => {
    const expected = await outcome(oneByOne, good);
    expect(expected.error).toBeUndefined();
    expect(expected.tables['iam_users']).toHaveLength(3);
    expect(await outcome(batched, good)).toEqual(expected);
  });

  const refused: Array<[string, Entity[]]> = [
    ['a user name taken in the account (names ignore case)', [...good, { user: { accountId: OTHER_ACCOUNT, userName: 'EXISTING' } }]],
    ['a user name used twice in the batch', [...good, { user: { accountId: ACCOUNT, userName: 'Alice' } }]],
    ['a role name used twice in the batch', [...good, { role: { ...worker.role, path: '/' } }]],
    ['an access key id already in the database', withUser({ accessKeys: [key(99)] })],
    ['an access key id used twice in the batch', [...good, { user: { accountId: OTHER_ACCOUNT, userName: 'carol', accessKeys: [key(1)] } }]],
    ['three access keys', withUser({ accessKeys: [key(1), key(2), key(3)] })],
    ['a malformed access key id', withUser({ accessKeys: [{ accessKeyId: 'nope', secretAccessKey: 's' }] })],
    ['a bad user name', withUser({ userName: 'no spaces allowed' })],
    ['a bad path', withUser({ path: 'nope' })],
    ['a boundary that does not exist', withUser({ permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/Missing` })],
    ['a boundary that is not an ARN', withRole({ permissionsBoundaryArn: 'Boundary' })],
    ['duplicate tag keys', withUser({ tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })],
    ['an unknown AWS managed policy', withUser({ managedPolicies: ['arn:aws:iam::aws:policy/NoSuchThing'] })],
    ['another account’s policy', withRole({ managedPolicies: [`arn:aws:iam::${OTHER_ACCOUNT}:policy/Boundary`] })],
    ['a policy ARN that is not one', withRole({ managedPolicies: ['arn:aws:s3:::bucket'] })],
    ['eleven managed policies', withRole({ managedPolicies: elevenPolicies })],
    ['inline policies over the user size limit together', withUser({ inlinePolicies: { a: allow('s3:*', 900), b: allow('s3:*', 900), c: allow('s3:*', 900) } })],
    ['a malformed inline policy', withRole({ inlinePolicies: { bad: '{"Statement":[]}' } })],
    ['a bad inline policy name', withRole({ inlinePolicies: { 'bad name': allow('s3:*') } })],
    ['a malformed trust policy', withRole({ assumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' })],
    ['a malformed trust principal', withRole({ assumeRolePolicyDocument: trust({ AWS: 'arn:aws:iam::123:user/x' }) })],
    ['a session duration out of range', withRole({ maxSessionDuration: 100_000 })],
    ['a description too long', withRole({ description: 'd'.repeat(1001) })],
  ];

  it.each(refused)('refuses %s with the per-call error and writes nothing', async (_, entities) => {
    const expected = await outcome(oneByOne, entities);
    expect(expected.error).toMatch(/^\w+: /);
    if (entities.some((e) => 'role' in e && e.role.managedPolicies === elevenPolicies)) expect(expected.error).toMatch(/^LimitExceeded/);
    expect(await outcome(batched, entities)).toEqual(expected);
  });

  it('refuses an account or access key outside its scope', async () => {
    const { db, seeder } = await setUp();
    try {
      await db.transaction(async (trx) => {
        const batch = await seeder.begin(trx, { accountIds: [ACCOUNT], accessKeyIds: [] });
        expect(() => batch.createUser({ accountId: OTHER_ACCOUNT, userName: 'x' })).toThrow(/outside the batch's scope/);
        expect(() => batch.createUser({ accountId: ACCOUNT, userName: 'x', accessKeys: [key(5)] })).toThrow(/outside the batch's scope/);
      });
    } finally {
      await db.close();
    }
  });
});
