/**
 * LF-Tags with the JS SDK against the default landing zone: the lake admin defines tags, tags a database, a table
 * (overriding its database) and a column, grants SELECT on an LF-Tag policy, and Athena reads exactly the tables and
 * columns whose inherited tags match; ASSOCIATE on a tag decides who may tag; a policy granted to another account
 * goes out through RAM like any cross-account grant.
 */
import { CreateDatabaseCommand, CreateTableCommand, DeleteTableCommand, GetTableCommand, GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  AddLFTagsToResourceCommand,
  CreateLFTagCommand,
  DeleteLFTagCommand,
  GetLFTagCommand,
  GetResourceLFTagsCommand,
  GrantPermissionsCommand,
  LakeFormationClient,
  ListLFTagsCommand,
  ListPermissionsCommand,
  RemoveLFTagsFromResourceCommand,
  RevokePermissionsCommand,
  SearchDatabasesByLFTagsCommand,
  SearchTablesByLFTagsCommand,
  UpdateLFTagCommand,
} from '@aws-sdk/client-lakeformation';
import { GetResourceSharesCommand, ListResourcesCommand, RAMClient } from '@aws-sdk/client-ram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURATED, LAKE, acceptInvitations, athenaQuery, createDatabaseWithTables, makeLakeAdmins, parquetTable, putCustomersParquet, registerCurated, role, type QueryOutcome } from '../support/lake.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, type Creds } from '../support/sessions.js';

const DS1 = accounts.dataScience1;
/** The data-lake account's platform role: full IAM rights, but not a data lake admin. */
const ANALYST = role(LAKE, 'OrganizationAccountAccessRole');

let server: TestServer;
let lakeAdmin: Creds;
let analyst: Creds;
let ds1Admin: Creds;

const lf = (c: Creds) => new LakeFormationClient(clientConfig(server.url, c));
const customers = { Table: { DatabaseName: 'tagged', Name: 'customers' } };
const archive = { Table: { DatabaseName: 'tagged', Name: 'archive' } };

const query = (c: Creds, sql: string, results = `mlzone-raw-${LAKE}`): Promise<QueryOutcome> => athenaQuery(server.url, c, sql, `s3://${results}/athena/`);

beforeAll(async () => {
  server = await startTestServer();
  lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
  const platform = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
  analyst = await assumeRole(server.url, platform, ANALYST);
  ds1Admin = await assumeRole(server.url, platform, role(DS1, 'OrganizationAccountAccessRole'));
  await makeLakeAdmins(server.url, analyst, [role(LAKE, 'LakeAdmin')]);
  await putCustomersParquet(server.url, lakeAdmin, 'tagged/customers/part-0.parquet');
  await registerCurated(server.url, lakeAdmin, 'tagged');
  const location = `s3://${CURATED}/tagged/customers/`;
  await createDatabaseWithTables(server.url, lakeAdmin, 'tagged', [parquetTable('customers', location), parquetTable('archive', location)]);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('LF-Tags', () => {
  it('only a data lake admin creates tags; keys and values are validated as Lake Formation does', async () => {
    await expect(lf(analyst).send(new CreateLFTagCommand({ TagKey: 'classification', TagValues: ['public'] }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('Required Create Tag on Catalog'),
    });
    await lf(lakeAdmin).send(new CreateLFTagCommand({ TagKey: 'classification', TagValues: ['public', 'pii', 'restricted'] }));
    await lf(lakeAdmin).send(new CreateLFTagCommand({ TagKey: 'team', TagValues: ['sales'] }));
    await expect(lf(lakeAdmin).send(new CreateLFTagCommand({ TagKey: 'classification', TagValues: ['x'] }))).rejects.toMatchObject({ name: 'InvalidInputException', message: 'Tag key already exists' });
    const tooMany = Array.from({ length: 51 }, (_, i) => `v${i}`);
    await expect(lf(lakeAdmin).send(new CreateLFTagCommand({ TagKey: 'many', TagValues: tooMany }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    await lf(lakeAdmin).send(new UpdateLFTagCommand({ TagKey: 'team', TagValuesToAdd: ['finance', 'ops'] }));
    await lf(lakeAdmin).send(new UpdateLFTagCommand({ TagKey: 'team', TagValuesToDelete: ['ops'] }));
    await expect(lf(analyst).send(new UpdateLFTagCommand({ TagKey: 'team', TagValuesToAdd: ['x'] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(lf(lakeAdmin).send(new UpdateLFTagCommand({ TagKey: 'team', TagValuesToDelete: ['nope'] }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    expect(await lf(lakeAdmin).send(new GetLFTagCommand({ TagKey: 'team' }))).toMatchObject({ CatalogId: LAKE, TagKey: 'team', TagValues: ['sales', 'finance'] });
    await expect(lf(lakeAdmin).send(new GetLFTagCommand({ TagKey: 'nope' }))).rejects.toMatchObject({ name: 'EntityNotFoundException', message: 'Tag key does not exist' });
    const listed = await lf(lakeAdmin).send(new ListLFTagsCommand({}));
    expect(listed.LFTags!.map((t) => t.TagKey)).toEqual(['classification', 'team']);
    // A principal with no permission on any tag sees none of them.
    expect((await lf(analyst).send(new ListLFTagsCommand({}))).LFTags).toEqual([]);
  });

  it('tags a database, overrides it on a table and a column; tables inherit per key', async () => {
    const admin = lf(lakeAdmin);
    await admin.send(new AddLFTagsToResourceCommand({ Resource: { Database: { Name: 'tagged' } }, LFTags: [{ TagKey: 'classification', TagValues: ['public'] }, { TagKey: 'team', TagValues: ['sales'] }] }));
    await admin.send(new AddLFTagsToResourceCommand({ Resource: archive, LFTags: [{ TagKey: 'classification', TagValues: ['restricted'] }] }));
    const col = await admin.send(
      new AddLFTagsToResourceCommand({ Resource: { TableWithColumns: { DatabaseName: 'tagged', Name: 'customers', ColumnNames: ['ssn'] } }, LFTags: [{ TagKey: 'classification', TagValues: ['pii'] }] }),
    );
    expect(col.Failures ?? []).toEqual([]);
    const got = await admin.send(new GetResourceLFTagsCommand({ Resource: customers }));
    const pair = (k: string, v: string) => ({ CatalogId: LAKE, TagKey: k, TagValues: [v] });
    expect(got.LFTagOnDatabase).toEqual([pair('classification', 'public'), pair('team', 'sales')]);
    expect(got.LFTagsOnTable).toEqual([pair('classification', 'public'), pair('team', 'sales')]);
    expect(got.LFTagsOnColumns!.find((c) => c.Name === 'ssn')!.LFTags).toEqual([pair('classification', 'pii'), pair('team', 'sales')]);
    expect(got.LFTagsOnColumns!.find((c) => c.Name === 'name')!.LFTags).toEqual([pair('classification', 'public'), pair('team', 'sales')]);
    const arch = await admin.send(new GetResourceLFTagsCommand({ Resource: archive }));
    expect(arch.LFTagsOnTable).toEqual([pair('classification', 'restricted'), pair('team', 'sales')]);
    const assigned = await admin.send(new GetResourceLFTagsCommand({ Resource: customers, ShowAssignedLFTags: true }));
    expect(assigned.LFTagsOnTable).toBeUndefined();
    expect(assigned.LFTagsOnColumns).toEqual([{ Name: 'ssn', LFTags: [pair('classification', 'pii')] }]);
  });

  it('refuses unknown keys, values and resources with Lake Formation errors', async () => {
    const admin = lf(lakeAdmin);
    const out = await admin.send(new AddLFTagsToResourceCommand({ Resource: customers, LFTags: [{ TagKey: 'nope', TagValues: ['x'] }, { TagKey: 'team', TagValues: ['nope'] }] }));
    expect(out.Failures!.map((f) => [f.LFTag?.TagKey, f.Error?.ErrorCode, f.Error?.ErrorMessage])).toEqual([
      ['nope', 'EntityNotFoundException', 'Tag key does not exist'],
      ['team', 'InvalidInputException', 'Tag value nope does not exist for tag key team'],
    ]);
    await expect(admin.send(new AddLFTagsToResourceCommand({ Resource: customers, LFTags: [{ TagKey: 'team', TagValues: ['sales', 'finance'] }] }))).rejects.toMatchObject({
      name: 'InvalidInputException',
      message: 'Tag value wild card was found or input tag value list has size not equal to 1',
    });
    await expect(admin.send(new AddLFTagsToResourceCommand({ Resource: { Table: { DatabaseName: 'tagged', Name: 'missing' } }, LFTags: [{ TagKey: 'team', TagValues: ['sales'] }] }))).rejects.toMatchObject({
      name: 'EntityNotFoundException',
    });
    await expect(
      admin.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: { LFTagPolicy: { ResourceType: 'TABLE', Expression: [{ TagKey: 'nope', TagValues: ['x'] }] } }, Permissions: ['SELECT'] })),
    ).rejects.toMatchObject({ name: 'EntityNotFoundException', message: 'Tag key does not exist' });
    await expect(
      admin.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: { LFTagPolicy: { ResourceType: 'DATABASE', Expression: [{ TagKey: 'team', TagValues: ['sales'] }] } }, Permissions: ['SELECT'] })),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  it('searches tables and databases by expression', async () => {
    const admin = lf(lakeAdmin);
    const pub = await admin.send(new SearchTablesByLFTagsCommand({ Expression: [{ TagKey: 'classification', TagValues: ['public'] }] }));
    expect(pub.TableList!.map((t) => t.Table?.Name)).toEqual(['customers']);
    const pii = await admin.send(new SearchTablesByLFTagsCommand({ Expression: [{ TagKey: 'classification', TagValues: ['pii', 'restricted'] }] }));
    expect(pii.TableList!.map((t) => t.Table?.Name)).toEqual(['archive', 'customers']);
    const dbs = await admin.send(new SearchDatabasesByLFTagsCommand({ Expression: [{ TagKey: 'team', TagValues: ['sales'] }] }));
    expect(dbs.DatabaseList!.map((d) => d.Database?.Name)).toEqual(['tagged']);
    expect((await admin.send(new SearchDatabasesByLFTagsCommand({ Expression: [{ TagKey: 'team', TagValues: ['finance'] }] }))).DatabaseList).toEqual([]);
    // A principal with no grant finds nothing.
    expect((await lf(analyst).send(new SearchTablesByLFTagsCommand({ Expression: [{ TagKey: 'classification', TagValues: ['public'] }] }))).TableList).toEqual([]);
  });

  it('SELECT on an LF-Tag policy reads the matching tables, and only their matching columns', async () => {
    await expect(query(analyst, 'SELECT id FROM tagged.customers')).resolves.toMatchObject({ execution: { Status: { State: 'FAILED' } } });
    await lf(lakeAdmin).send(
      new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: { LFTagPolicy: { ResourceType: 'TABLE', Expression: [{ TagKey: 'classification', TagValues: ['public'] }] } }, Permissions: ['SELECT', 'DESCRIBE'] }),
    );
    const star = await query(analyst, 'SELECT * FROM tagged.customers ORDER BY id');
    expect(star.execution.Status?.StateChangeReason).toBeUndefined();
    expect(star.rows[0]).toEqual(['id', 'name', 'region', 'spend']);
    expect(star.rows.length).toBe(5);
    const ssn = await query(analyst, 'SELECT ssn FROM tagged.customers');
    expect(ssn.execution.Status?.StateChangeReason).toMatch(/COLUMN_NOT_FOUND.*ssn.*requester is not authorized/s);
    const other = await query(analyst, 'SELECT id FROM tagged.archive');
    expect(other.execution.Status?.State).toBe('FAILED');
    expect(other.execution.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
    // Glue's metadata is filtered the same way: the matching columns of the matching tables.
    const glue = new GlueClient(clientConfig(server.url, analyst));
    const meta = await glue.send(new GetTableCommand({ DatabaseName: 'tagged', Name: 'customers' }));
    expect(meta.Table!.StorageDescriptor!.Columns!.map((c) => c.Name)).toEqual(['id', 'name', 'region', 'spend']);
    expect((await glue.send(new GetTablesCommand({ DatabaseName: 'tagged' }))).TableList!.map((t) => t.Name)).toEqual(['customers']);
    const listed = await lf(lakeAdmin).send(new ListPermissionsCommand({ ResourceType: 'LF_TAG_POLICY_TABLE' }));
    expect(listed.PrincipalResourcePermissions!.map((p) => [p.Principal?.DataLakePrincipalIdentifier, p.Resource?.LFTagPolicy?.Expression])).toEqual([
      [ANALYST, [{ TagKey: 'classification', TagValues: ['public'] }]],
    ]);
    // The grant names the tag values it uses: the grantee now sees them.
    expect((await lf(analyst).send(new ListLFTagsCommand({}))).LFTags).toEqual([{ CatalogId: LAKE, TagKey: 'classification', TagValues: ['public'] }]);
  });

  it('ASSOCIATE on a tag decides who may tag, and retagging a table changes who reads it', async () => {
    const tag = { LFTags: [{ TagKey: 'classification', TagValues: ['public'] }] };
    const denied = await lf(analyst).send(new AddLFTagsToResourceCommand({ Resource: archive, ...tag }));
    expect(denied.Failures!.map((f) => f.Error?.ErrorCode)).toEqual(['AccessDeniedException']);
    await lf(lakeAdmin).send(
      new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: { LFTag: { TagKey: 'classification', TagValues: ['public'] } }, Permissions: ['ASSOCIATE', 'DESCRIBE'] }),
    );
    expect((await lf(analyst).send(new AddLFTagsToResourceCommand({ Resource: archive, ...tag }))).Failures ?? []).toEqual([]);
    // ASSOCIATE on `public` is not ASSOCIATE on `pii`.
    const pii = await lf(analyst).send(new AddLFTagsToResourceCommand({ Resource: archive, LFTags: [{ TagKey: 'classification', TagValues: ['pii'] }] }));
    expect(pii.Failures!.map((f) => f.Error?.ErrorCode)).toEqual(['AccessDeniedException']);
    const now = await query(analyst, 'SELECT count(*) FROM tagged.archive');
    expect(now.execution.Status?.StateChangeReason).toBeUndefined();
    expect(now.rows.slice(1)).toEqual([['4']]);
    // Removing the column's own tag lets ssn inherit `public`.
    await lf(lakeAdmin).send(new RemoveLFTagsFromResourceCommand({ Resource: { TableWithColumns: { DatabaseName: 'tagged', Name: 'customers', ColumnNames: ['ssn'] } }, LFTags: [{ TagKey: 'classification', TagValues: ['pii'] }] }));
    const ssn = await query(analyst, 'SELECT count(ssn) FROM tagged.customers');
    expect(ssn.execution.Status?.StateChangeReason).toBeUndefined();
  });

  it('a policy granted to another account is shared through RAM with the tables it reaches', async () => {
    await lf(lakeAdmin).send(
      new GrantPermissionsCommand({
        Principal: { DataLakePrincipalIdentifier: DS1 },
        Resource: { LFTagPolicy: { ResourceType: 'TABLE', Expression: [{ TagKey: 'team', TagValues: ['sales'] }] } },
        Permissions: ['SELECT', 'DESCRIBE'],
        PermissionsWithGrantOption: ['SELECT', 'DESCRIBE'],
      }),
    );
    const ram = new RAMClient(clientConfig(server.url, analyst));
    const shares = await ram.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }));
    const share = shares.resourceShares!.find((s) => s.name?.startsWith('LakeFormation-V3-'));
    expect(share).toBeDefined();
    const resources = await ram.send(new ListResourcesCommand({ resourceOwner: 'SELF', resourceShareArns: [share!.resourceShareArn!] }));
    expect(resources.resources!.map((r) => r.arn).sort()).toEqual([`arn:aws:glue:us-east-1:${LAKE}:table/tagged/archive`, `arn:aws:glue:us-east-1:${LAKE}:table/tagged/customers`]);
    // A table created later in the tagged database inherits its tags and goes out with the share; dropped, it leaves.
    const shared = async () => (await ram.send(new ListResourcesCommand({ resourceOwner: 'SELF', resourceShareArns: [share!.resourceShareArn!] }))).resources!.map((r) => r.arn!.split('/').pop()).sort();
    const glue = new GlueClient(clientConfig(server.url, lakeAdmin));
    await glue.send(new CreateTableCommand({ DatabaseName: 'tagged', TableInput: parquetTable('fresh', `s3://${CURATED}/tagged/customers/`) }));
    expect(await shared()).toEqual(['archive', 'customers', 'fresh']);
    await glue.send(new DeleteTableCommand({ DatabaseName: 'tagged', Name: 'fresh' }));
    expect(await shared()).toEqual(['archive', 'customers']);
    // The consumer account sees the owner's tags it was granted, as foreign tags.
    const foreign = await lf(ds1Admin).send(new ListLFTagsCommand({ ResourceShareType: 'FOREIGN' }));
    expect(foreign.LFTags).toEqual([{ CatalogId: LAKE, TagKey: 'team', TagValues: ['sales'] }]);
  });

  it("the consumer account's admin links the shared table and grants its scientist by the owner's tags", async () => {
    await makeLakeAdmins(server.url, ds1Admin, [role(DS1, 'OrganizationAccountAccessRole')]);
    await acceptInvitations(server.url, ds1Admin);
    const glue = new GlueClient(clientConfig(server.url, ds1Admin));
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'lake' } }));
    await glue.send(new CreateTableCommand({ DatabaseName: 'lake', TableInput: { Name: 'customers', TargetTable: { CatalogId: LAKE, DatabaseName: 'tagged', Name: 'customers' } } }));
    const scientistRole = { DataLakePrincipalIdentifier: role(DS1, 'DataScientist') };
    await lf(ds1Admin).send(new GrantPermissionsCommand({ Principal: scientistRole, Resource: { Table: { DatabaseName: 'lake', Name: 'customers' } }, Permissions: ['DESCRIBE'] }));
    const scientist = await assumeRole(server.url, users.ds1Scientist, role(DS1, 'DataScientist'));
    const results = `sagemaker-us-east-1-${DS1}`;
    const before = await query(scientist, 'SELECT id FROM lake.customers', results);
    expect(before.execution.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
    // The consumer grants by the owner's LF-Tags (CatalogId of the owner), within what the owner granted its account.
    await lf(ds1Admin).send(
      new GrantPermissionsCommand({ Principal: scientistRole, Resource: { LFTagPolicy: { CatalogId: LAKE, ResourceType: 'TABLE', Expression: [{ TagKey: 'team', TagValues: ['sales'] }] } }, Permissions: ['SELECT'] }),
    );
    const star = await query(scientist, 'SELECT * FROM lake.customers ORDER BY id', results);
    expect(star.execution.Status?.StateChangeReason).toBeUndefined();
    expect(star.rows[0]).toEqual(['id', 'name', 'region', 'ssn', 'spend']);
    expect(star.rows.length).toBe(5);
    // Revoking the owner's tag policy grant to the account ends the consumer's access on the next query.
    const ownerGrant = { Principal: { DataLakePrincipalIdentifier: DS1 }, Resource: { LFTagPolicy: { ResourceType: 'TABLE' as const, Expression: [{ TagKey: 'team', TagValues: ['sales'] }] } } };
    await lf(lakeAdmin).send(new RevokePermissionsCommand({ ...ownerGrant, Permissions: ['SELECT', 'DESCRIBE'] }));
    expect((await query(scientist, 'SELECT id FROM lake.customers', results)).execution.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
    // It was the account's only grant: RAM no longer shares anything with it.
    expect((await new RAMClient(clientConfig(server.url, ds1Admin)).send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }))).resources).toEqual([]);
    await lf(lakeAdmin).send(new GrantPermissionsCommand({ ...ownerGrant, Permissions: ['SELECT', 'DESCRIBE'] }));
    // The owner's tag catalog decides: a key it does not define is refused.
    await expect(
      lf(ds1Admin).send(new GrantPermissionsCommand({ Principal: scientistRole, Resource: { LFTagPolicy: { CatalogId: LAKE, ResourceType: 'TABLE', Expression: [{ TagKey: 'nope', TagValues: ['x'] }] } }, Permissions: ['SELECT'] })),
    ).rejects.toMatchObject({ name: 'EntityNotFoundException' });
  });

  it('deleting a tag removes it from resources and drops the grants that named it', async () => {
    await expect(lf(analyst).send(new DeleteLFTagCommand({ TagKey: 'team' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await lf(lakeAdmin).send(new DeleteLFTagCommand({ TagKey: 'team' }));
    const got = await lf(lakeAdmin).send(new GetResourceLFTagsCommand({ Resource: { Database: { Name: 'tagged' } } }));
    expect(got.LFTagOnDatabase).toEqual([{ CatalogId: LAKE, TagKey: 'classification', TagValues: ['public'] }]);
    const listed = await lf(lakeAdmin).send(new ListPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS1 } }));
    expect(listed.PrincipalResourcePermissions).toEqual([]);
  });
});
