import { createHash } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { RequestContext } from '../../core/context.js';
import type { Handlers } from '../../core/service.js';
import { keysetPage } from '../../core/pagination.js';
import type { Column, Database, DatabaseInput, GlueOperations, Partition, PartitionError, PartitionInput, Table, TableInput, TableVersion } from './api.gen.js';
import { glueErrors } from './errors.js';
import type { GlueGovernance, WriteNeed } from './governance.js';
import { parsePartitionExpression } from './partition-expression.js';
import { checkFilters, matchesFilters, matchesText, sortTables } from './search.js';
import type { GlueStore, StoredTable } from './store.js';

export interface GlueHandlerDeps {
  readonly store: GlueStore;
  readonly governance: () => GlueGovernance | undefined;
  /** The policy's problem in IAM's words, or undefined when it is valid. */
  readonly validatePolicy: (doc: string) => string | undefined | void;
}

const catalogOf = (input: { CatalogId?: string }, ctx: RequestContext) => input.CatalogId ?? ctx.accountId;
const lower = (s: string) => s.toLowerCase();
const PAGE = 100;

function databaseFrom(input: DatabaseInput, catalogId: string, created: number): Database {
  const name = lower(input.Name);
  return {
    Name: name,
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    ...(input.LocationUri !== undefined ? { LocationUri: input.LocationUri } : {}),
    Parameters: input.Parameters ?? {},
    CreateTime: new Date(created),
    // A resource link carries no default permissions of its own; a database created without them follows the
    // account's Lake Formation settings (IAM_ALLOWED_PRINCIPALS out of the box), so none are stored then.
    ...(input.TargetDatabase ? { TargetDatabase: input.TargetDatabase } : input.CreateTableDefaultPermissions ? { CreateTableDefaultPermissions: input.CreateTableDefaultPermissions } : {}),
    CatalogId: catalogId,
  };
}

function tableFrom(input: TableInput, catalogId: string, database: string, ctx: RequestContext, created: number, versionId: number): Table {
  const cols = (list: Column[] | undefined) => list?.map((c) => ({ ...c, Name: lower(c.Name) }));
  return {
    ...input,
    Name: lower(input.Name),
    DatabaseName: database,
    CatalogId: catalogId,
    CreateTime: new Date(created),
    UpdateTime: new Date(created),
    ...(input.StorageDescriptor ? { StorageDescriptor: { ...input.StorageDescriptor, Columns: cols(input.StorageDescriptor.Columns) ?? [] } } : {}),
    PartitionKeys: cols(input.PartitionKeys) ?? [],
    ...(input.TargetTable ? {} : { TableType: input.TableType ?? 'EXTERNAL_TABLE' }),
    Parameters: input.Parameters ?? {},
    CreatedBy: ctx.principal.arn,
    IsRegisteredWithLakeFormation: false,
    VersionId: String(versionId),
  } as Table;
}

/** Dates survive the JSON store as strings: turn them back into Dates for the codec. */
function revive<T extends object>(o: T): T {
  const out: Record<string, unknown> = { ...(o as Record<string, unknown>) };
  for (const k of ['CreateTime', 'UpdateTime', 'CreationTime', 'LastAccessTime']) if (typeof out[k] === 'string') out[k] = new Date(out[k] as string);
  return out as T;
}

function onlyColumns(t: Table, visible: ReadonlySet<string>): Table {
  const keep = (cs: Column[] | undefined) => cs?.filter((c) => visible.has(c.Name));
  return { ...t, ...(t.StorageDescriptor ? { StorageDescriptor: { ...t.StorageDescriptor, Columns: keep(t.StorageDescriptor.Columns) ?? [] } } : {}), PartitionKeys: keep(t.PartitionKeys) ?? [] };
}

export function glueHandlers(deps: GlueHandlerDeps): Handlers<GlueOperations> {
  const { store } = deps;
  const gov = () => deps.governance();

  async function requireDatabase(ctx: RequestContext, catalogId: string, name: string): Promise<Database> {
    const d = await store.database(catalogId, lower(name));
    if (!d) throw glueErrors.databaseNotFound(lower(name));
    const g = gov();
    if (g && !(await g.databaseVisible(ctx, catalogId, d.Name))) throw glueErrors.lfDenied(d.Name);
    return d;
  }

  /** Lake Formation's word on a write IAM allowed: `Insufficient Lake Formation permission(s): Required … on …`. */
  async function requireWrite(ctx: RequestContext, catalogId: string, need: WriteNeed): Promise<void> {
    const g = gov();
    if (!g || (await g.permits(ctx, catalogId, need))) return;
    const words = { CREATE_DATABASE: 'Create Database', CREATE_TABLE: 'Create Table', ALTER: 'Alter', DROP: 'Drop' }[need.permission];
    throw glueErrors.lfRequired(words, need.permission === 'CREATE_DATABASE' ? 'Catalog' : (need.table ?? need.database));
  }

  /**
   * The database whose tables a read names: a database resource link is followed to its target (Glue's resource
   * link handling for GetTable and GetTables), which the caller must be able to see as well.
   */
  async function readableDatabase(ctx: RequestContext, catalogId: string, name: string): Promise<{ catalogId: string; database: Database }> {
    const d = await requireDatabase(ctx, catalogId, name);
    if (!d.TargetDatabase) return { catalogId, database: d };
    const target = d.TargetDatabase.CatalogId ?? catalogId;
    return { catalogId: target, database: await requireDatabase(ctx, target, d.TargetDatabase.DatabaseName ?? '') };
  }

  async function requireTable(ctx: RequestContext, catalogId: string, database: string, name: string): Promise<StoredTable> {
    await requireDatabase(ctx, catalogId, database);
    const t = await store.table(catalogId, lower(database), lower(name));
    if (!t) throw glueErrors.tableNotFound(lower(name));
    return t;
  }

  /** The table as the caller may see it, or undefined when Lake Formation hides it. */
  async function visibleTable(ctx: RequestContext, catalogId: string, t: Table): Promise<Table | undefined> {
    const g = gov();
    const shown = revive(t);
    if (!g) return shown;
    const v = await g.tableVisibility(ctx, catalogId, t.DatabaseName!, t.Name);
    if (v === 'hidden') return undefined;
    const registered = await g.registered(t.StorageDescriptor?.Location);
    const out = { ...shown, IsRegisteredWithLakeFormation: registered };
    return v === 'all' ? out : onlyColumns(out, v);
  }

  /** A table a read names, through a database resource link as GetTable does. */
  async function readableTable(ctx: RequestContext, catalogIdIn: string, database: string, name: string): Promise<{ catalogId: string; stored: StoredTable }> {
    const { catalogId, database: d } = await readableDatabase(ctx, catalogIdIn, database);
    const stored = await store.table(catalogId, d.Name, lower(name));
    if (!stored) throw glueErrors.tableNotFound(lower(name));
    return { catalogId, stored };
  }

  /** The table whose partitions a call names; reads (`follow`) go through a database resource link, writes do not. */
  async function checkedPartitions(ctx: RequestContext, input: { CatalogId?: string; DatabaseName: string; TableName: string }, follow = false) {
    const read = follow ? await readableTable(ctx, catalogOf(input, ctx), input.DatabaseName, input.TableName) : undefined;
    const catalogId = read?.catalogId ?? catalogOf(input, ctx);
    const t = read?.stored ?? (await requireTable(ctx, catalogId, input.DatabaseName, input.TableName));
    if (!(await visibleTable(ctx, catalogId, t.table))) throw glueErrors.lfDenied(t.table.Name);
    return { catalogId, table: t.table };
  }

  function partitionFrom(input: PartitionInput, catalogId: string, table: Table, now: number): Partition {
    const keys = table.PartitionKeys ?? [];
    if ((input.Values ?? []).length !== keys.length) throw glueErrors.invalid('The number of partition keys do not match the number of partition values');
    return { ...input, Values: input.Values ?? [], DatabaseName: table.DatabaseName!, TableName: table.Name, CatalogId: catalogId, CreationTime: new Date(now) };
  }

  return {
    CreateDatabase: async (input, ctx) => {
      const catalogId = catalogOf(input, ctx);
      await requireWrite(ctx, catalogId, { permission: 'CREATE_DATABASE' });
      const given = input.DatabaseInput.CreateTableDefaultPermissions;
      const defaults = given ?? (input.DatabaseInput.TargetDatabase ? undefined : await gov()?.tableDefaults(catalogId));
      const d = databaseFrom({ ...input.DatabaseInput, ...(defaults ? { CreateTableDefaultPermissions: defaults as DatabaseInput['CreateTableDefaultPermissions'] } : {}) }, catalogId, ctx.now);
      if (!(await store.insertDatabase(catalogId, d))) throw glueErrors.databaseExists();
      await gov()?.created(ctx, catalogId, d.Name);
      return {};
    },
    GetDatabase: async (input, ctx) => ({ Database: revive(await requireDatabase(ctx, catalogOf(input, ctx), input.Name)) }),
    GetDatabases: async (input, ctx) => {
      const catalogId = catalogOf(input, ctx);
      const g = gov();
      const own = input.ResourceShareType === 'FOREIGN' ? [] : await store.databases(catalogId);
      const visible: Database[] = [];
      for (const d of own) if (!g || (await g.databaseVisible(ctx, catalogId, d.Name))) visible.push(d);
      if (g && input.ResourceShareType) {
        for (const f of await g.foreignDatabases(ctx)) {
          const d = await store.database(f.catalogId, f.database);
          if (d && (await g.databaseVisible(ctx, f.catalogId, d.Name))) visible.push(d);
        }
      }
      // Own and shared databases interleave by catalog: the page key must sort.
      visible.sort((a, b) => (`${a.CatalogId}/${a.Name}` < `${b.CatalogId}/${b.Name}` ? -1 : 1));
      const page = keysetPage(visible, (d) => `${d.CatalogId}/${d.Name}`, `GetDatabases:${catalogId}:${input.ResourceShareType ?? ''}`, input.MaxResults ?? PAGE, input.NextToken, glueErrors.badToken);
      return { DatabaseList: page.items.map(revive), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    UpdateDatabase: async (input, ctx) => {
      const catalogId = catalogOf(input, ctx);
      const old = await requireDatabase(ctx, catalogId, input.Name);
      await requireWrite(ctx, catalogId, { permission: 'ALTER', database: old.Name });
      if (lower(input.DatabaseInput.Name) !== old.Name) throw glueErrors.invalid('Database name cannot be changed.');
      const d = databaseFrom(input.DatabaseInput, catalogId, new Date(old.CreateTime as unknown as string).getTime());
      await store.putDatabase(catalogId, d);
      return {};
    },
    DeleteDatabase: async (input, ctx) => {
      const catalogId = catalogOf(input, ctx);
      const d = await requireDatabase(ctx, catalogId, input.Name);
      await requireWrite(ctx, catalogId, { permission: 'DROP', database: d.Name });
      for (const t of await store.tables(catalogId, d.Name)) await gov()?.dropped(ctx, catalogId, d.Name, t.table.Name);
      await store.deleteDatabase(catalogId, d.Name);
      await gov()?.dropped(ctx, catalogId, d.Name);
      return {};
    },
    CreateTable: async (input, ctx) => {
      const catalogId = catalogOf(input, ctx);
      const d = await store.database(catalogId, lower(input.DatabaseName));
      if (!d) throw glueErrors.databaseNotFound(lower(input.DatabaseName));
      // CREATE_TABLE on the database (any grant on it also lets the caller see it).
      await requireWrite(ctx, catalogId, { permission: 'CREATE_TABLE', database: d.Name });
      if (d.TargetDatabase) throw glueErrors.invalid('Cannot create a table in a resource link database.');
      if (!input.TableInput) throw glueErrors.invalid('TableInput is required.');
      const t = tableFrom(input.TableInput, catalogId, d.Name, ctx, ctx.now, 1);
      if (!(await store.insertTable(catalogId, { table: t, versions: [] }))) throw glueErrors.tableExists();
      await gov()?.created(ctx, catalogId, d.Name, t.Name);
      return {};
    },
    GetTable: async (input, ctx) => {
      const { catalogId, stored: t } = await readableTable(ctx, catalogOf(input, ctx), input.DatabaseName, input.Name);
      const shown = await visibleTable(ctx, catalogId, t.table);
      if (!shown) throw glueErrors.lfDenied(t.table.Name);
      return { Table: shown };
    },
    GetTables: async (input, ctx) => {
      const { catalogId, database: d } = await readableDatabase(ctx, catalogOf(input, ctx), input.DatabaseName);
      const pattern = input.Expression ? new RegExp(`^(?:${input.Expression.replace(/\*/g, '.*')})$`, 'i') : undefined;
      const out: Table[] = [];
      for (const t of await store.tables(catalogId, d.Name)) {
        if (pattern && !pattern.test(t.table.Name)) continue;
        const shown = await visibleTable(ctx, catalogId, t.table);
        if (shown) out.push(shown);
      }
      const page = keysetPage(out, (t) => t.Name, `GetTables:${catalogId}:${d.Name}:${input.Expression ?? ''}`, input.MaxResults ?? PAGE, input.NextToken, glueErrors.badToken);
      return { TableList: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    UpdateTable: async (input, ctx) => {
      const catalogId = catalogOf(input, ctx);
      if (!input.TableInput) throw glueErrors.invalid('TableInput is required.');
      const old = await requireTable(ctx, catalogId, input.DatabaseName, input.TableInput.Name);
      await requireWrite(ctx, catalogId, { permission: 'ALTER', database: old.table.DatabaseName!, table: old.table.Name });
      const version = Number(old.table.VersionId ?? '1') + 1;
      const t = tableFrom(input.TableInput, catalogId, old.table.DatabaseName!, ctx, new Date(old.table.CreateTime as unknown as string).getTime(), version);
      await store.putTable(catalogId, { table: { ...t, UpdateTime: new Date(ctx.now), CreatedBy: old.table.CreatedBy! }, versions: input.SkipArchive ? old.versions : [...old.versions, old.table] });
      return {};
    },
    DeleteTable: async (input, ctx) => {
      const catalogId = catalogOf(input, ctx);
      const t = await requireTable(ctx, catalogId, input.DatabaseName, input.Name);
      await requireWrite(ctx, catalogId, { permission: 'DROP', database: t.table.DatabaseName!, table: t.table.Name });
      await store.deleteTable(catalogId, t.table.DatabaseName!, t.table.Name);
      await gov()?.dropped(ctx, catalogId, t.table.DatabaseName!, t.table.Name);
      return {};
    },
    GetTableVersions: async (input, ctx) => {
      const { catalogId, stored: t } = await readableTable(ctx, catalogOf(input, ctx), input.DatabaseName, input.TableName);
      const all = [...t.versions, t.table];
      const shown: { Table: Table; VersionId: string }[] = [];
      for (const v of all.reverse()) {
        const s = await visibleTable(ctx, catalogId, v);
        if (s) shown.push({ Table: s, VersionId: v.VersionId! });
      }
      const page = keysetPage(shown, (v) => v.VersionId.padStart(10, '0').split('').map((c) => String(9 - Number(c))).join(''), `GetTableVersions:${catalogId}:${t.table.DatabaseName}:${t.table.Name}`, input.MaxResults ?? PAGE, input.NextToken, glueErrors.badToken);
      return { TableVersions: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    GetTableVersion: async (input, ctx) => {
      const { catalogId, stored: t } = await readableTable(ctx, catalogOf(input, ctx), input.DatabaseName, input.TableName);
      const wanted = input.VersionId ?? t.table.VersionId;
      const v = [...t.versions, t.table].find((x) => x.VersionId === wanted);
      if (!v) throw glueErrors.versionNotFound(wanted!, t.table.Name);
      const shown = await visibleTable(ctx, catalogId, v);
      if (!shown) throw glueErrors.lfDenied(t.table.Name);
      const out: TableVersion = { Table: shown, VersionId: v.VersionId! };
      return { TableVersion: out };
    },
    SearchTables: async (input, ctx) => {
      const catalogId = catalogOf(input, ctx);
      checkFilters(input.Filters, glueErrors.invalid);
      const g = gov();
      // Own catalog unless ResourceShareType asks for what other accounts shared (FOREIGN) or both (ALL).
      const sources: { catalogId: string; database: string }[] = [];
      if (input.ResourceShareType !== 'FOREIGN') for (const d of await store.databases(catalogId)) if (!d.TargetDatabase) sources.push({ catalogId, database: d.Name });
      if (g && (input.ResourceShareType === 'FOREIGN' || input.ResourceShareType === 'ALL')) sources.push(...(await g.foreignDatabases(ctx)));
      const found: Table[] = [];
      for (const src of sources) {
        if (g && !(await g.databaseVisible(ctx, src.catalogId, src.database))) continue;
        for (const t of await store.tables(src.catalogId, src.database)) {
          if (!matchesText(t.table, input.SearchText) || !matchesFilters(t.table, input.Filters)) continue;
          const shown = await visibleTable(ctx, src.catalogId, t.table);
          if (shown) found.push(shown);
        }
      }
      const sorted = sortTables(found, input.SortCriteria);
      const scope = `SearchTables:${catalogId}:${JSON.stringify([input.SearchText ?? '', input.Filters ?? [], input.SortCriteria ?? [], input.ResourceShareType ?? ''])}`;
      // A search is ranked, not keyed: its token carries the position of the last result.
      const ranked = sorted.map((table, i) => ({ table, key: String(i).padStart(10, '0') }));
      const page = keysetPage(ranked, (r) => r.key, scope, input.MaxResults ?? PAGE, input.NextToken, glueErrors.badToken);
      return { TableList: page.items.map((r) => r.table), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    CreatePartition: async (input, ctx) => {
      const { catalogId, table } = await checkedPartitions(ctx, input);
      await requireWrite(ctx, catalogId, { permission: 'ALTER', database: table.DatabaseName!, table: table.Name });
      if (!(await store.insertPartition(catalogId, partitionFrom(input.PartitionInput, catalogId, table, ctx.now)))) throw glueErrors.partitionExists();
      return {};
    },
    BatchCreatePartition: async (input, ctx) => {
      const { catalogId, table } = await checkedPartitions(ctx, input);
      await requireWrite(ctx, catalogId, { permission: 'ALTER', database: table.DatabaseName!, table: table.Name });
      if (input.PartitionInputList.length > 100) throw glueErrors.invalid('Number of partitions to create must not exceed 100.');
      const errors: PartitionError[] = [];
      for (const p of input.PartitionInputList) {
        try {
          if (!(await store.insertPartition(catalogId, partitionFrom(p, catalogId, table, ctx.now)))) throw glueErrors.partitionExists();
        } catch (e) {
          const err = e as { code?: string; message: string };
          errors.push({ PartitionValues: p.Values ?? [], ErrorDetail: { ErrorCode: err.code ?? 'InternalServiceException', ErrorMessage: err.message } });
        }
      }
      return errors.length ? { Errors: errors } : {};
    },
    GetPartition: async (input, ctx) => {
      const { catalogId, table } = await checkedPartitions(ctx, input, true);
      const p = await store.partition(catalogId, table.DatabaseName!, table.Name, input.PartitionValues);
      if (!p) throw glueErrors.partitionNotFound();
      return { Partition: revive(p) };
    },
    GetPartitions: async (input, ctx) => {
      const { catalogId, table } = await checkedPartitions(ctx, input, true);
      const keys = (table.PartitionKeys ?? []).map((k) => k.Name);
      const predicate = input.Expression ? parsePartitionExpression(input.Expression, (table.PartitionKeys ?? []).map((k) => ({ name: k.Name, type: k.Type }))) : undefined;
      const all = (await store.partitions(catalogId, table.DatabaseName!, table.Name)).filter((p) => {
        if (!predicate) return true;
        const row: Record<string, string> = {};
        keys.forEach((k, i) => (row[k] = p.Values?.[i] ?? ''));
        return predicate(row);
      });
      const page = keysetPage(all, (p) => JSON.stringify(p.Values), `GetPartitions:${catalogId}:${table.DatabaseName}:${table.Name}:${input.Expression ?? ''}`, input.MaxResults ?? 1000, input.NextToken, glueErrors.badToken);
      return { Partitions: page.items.map(revive), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    BatchGetPartition: async (input, ctx) => {
      const { catalogId, table } = await checkedPartitions(ctx, input, true);
      const found: Partition[] = [];
      const missing: { Values: string[] }[] = [];
      for (const v of input.PartitionsToGet) {
        const p = await store.partition(catalogId, table.DatabaseName!, table.Name, v.Values);
        if (p) found.push(revive(p));
        else missing.push({ Values: v.Values });
      }
      return { Partitions: found, UnprocessedKeys: missing };
    },
    DeletePartition: async (input, ctx) => {
      const { catalogId, table } = await checkedPartitions(ctx, input);
      if (!(await store.deletePartition(catalogId, table.DatabaseName!, table.Name, input.PartitionValues))) throw glueErrors.partitionNotFound();
      return {};
    },
    BatchDeletePartition: async (input, ctx) => {
      const { catalogId, table } = await checkedPartitions(ctx, input);
      if (input.PartitionsToDelete.length > 25) throw glueErrors.invalid('Number of partitions to delete must not exceed 25.');
      const errors: PartitionError[] = [];
      for (const v of input.PartitionsToDelete) {
        if (!(await store.deletePartition(catalogId, table.DatabaseName!, table.Name, v.Values))) {
          errors.push({ PartitionValues: v.Values, ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: glueErrors.partitionNotFound().message } });
        }
      }
      return errors.length ? { Errors: errors } : {};
    },
    PutResourcePolicy: async (input, ctx) => {
      const catalogId = ctx.accountId;
      const problem = deps.validatePolicy(input.PolicyInJson);
      if (problem) throw glueErrors.invalid(problem);
      const old = await store.policy(catalogId);
      if (input.PolicyExistsCondition === 'MUST_EXIST' && !old) throw glueErrors.policyNotFound();
      if (input.PolicyExistsCondition === 'NOT_EXIST' && old) throw new AwsError('ConditionCheckFailureException', 'Policy already exists');
      if (input.PolicyHashCondition !== undefined && old && old.hash !== input.PolicyHashCondition) throw new AwsError('ConditionCheckFailureException', 'Policy hash mismatch');
      const hash = createHash('sha256').update(input.PolicyInJson).digest('base64');
      await store.putPolicy(catalogId, { policy: input.PolicyInJson, hash, created: old?.created ?? ctx.now, updated: ctx.now });
      return { PolicyHash: hash };
    },
    GetResourcePolicy: async (_input, ctx) => {
      const p = await store.policy(ctx.accountId);
      if (!p) throw glueErrors.policyNotFound();
      return { PolicyInJson: p.policy, PolicyHash: p.hash, CreateTime: new Date(p.created), UpdateTime: new Date(p.updated) };
    },
    DeleteResourcePolicy: async (input, ctx) => {
      const p = await store.policy(ctx.accountId);
      if (!p) throw glueErrors.policyNotFound();
      if (input.PolicyHashCondition !== undefined && p.hash !== input.PolicyHashCondition) throw new AwsError('ConditionCheckFailureException', 'Policy hash mismatch');
      await store.deletePolicy(ctx.accountId);
      return {};
    },
  };
}
