/**
 * The Athena store and its migrations on SQLite, and on PostgreSQL too when MLZONE_TEST_PG is set: workgroups
 * persist, and a query a previous process left RUNNING ends FAILED after restart instead of hanging.
 */
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
import { testBackends } from '../../persistence/test-backends.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete backend; in production only app/ picks one
import { openSqlite } from '../../persistence/sqlite/index.js';
import { FakeCatalog } from '../../query/fake-catalog.js';
import { ctxAs, parquetTable } from '../../query/test-support.js';
import { createAthenaService } from './index.js';
import { createAthenaStore } from './store.js';

const backends = testBackends();

const service = (db: Database) =>
  createAthenaService({
    db,
    clock: fixedClock(Date.UTC(2026, 0, 1)),
    objects: { objectFiles: async () => [] },
    internal: () => {
      throw new Error('no S3 in this test');
    },
  });

for (const backend of backends) {
  describe(`athena on ${backend.name}`, () => {
    it('keeps workgroups and fails queries interrupted by a restart', async () => {
      const db = backend.open();
      try {
        const first = service(db);
        await runMigrations(db, first.migrations);
        const ctx = ctxAs('arn:aws:iam::111111111111:role/R');
        const h = first.definition.handlers;
        await h.CreateWorkGroup!({ Name: 'team', Configuration: { ResultConfiguration: { OutputLocation: 's3://results/x/' } } }, ctx);
        await expect(h.CreateWorkGroup!({ Name: 'team' }, ctx)).rejects.toMatchObject({ code: 'InvalidRequestException' });
        await createAthenaStore(db).insertQuery({
          id: 'q-1',
          accountId: ctx.accountId,
          region: ctx.region,
          workgroup: 'team',
          query: 'SELECT 1',
          statementType: 'DML',
          substatementType: 'SELECT',
          outputLocation: 's3://results/x/q-1.csv',
          state: 'RUNNING',
          submittedAt: Date.UTC(2026, 0, 1),
        });
        const second = service(db);
        expect(await second.recover()).toBe(1);
        const out = (await second.definition.handlers.GetQueryExecution!({ QueryExecutionId: 'q-1' }, ctx)) as { QueryExecution: { Status: Record<string, unknown> } };
        expect(out.QueryExecution.Status).toMatchObject({ State: 'FAILED', AthenaError: { ErrorCategory: 1, Retryable: true } });
        const wgs = (await second.definition.handlers.ListWorkGroups!({}, ctx)) as { WorkGroups: { Name: string }[] };
        expect(wgs.WorkGroups.map((w) => w.Name)).toEqual(['primary', 'team']);
        await expect(second.definition.handlers.DeleteWorkGroup!({ WorkGroup: 'primary' }, ctx)).rejects.toMatchObject({ message: 'Cannot delete primary workgroup' });
      } finally {
        await backend.dispose(db);
      }
    });
  });
}

describe('what decided a query (mlzone explain)', () => {
  it("keeps, per table, the catalog's reason with the finished query", async () => {
    const db = openSqlite({ file: ':memory:' });
    const catalog = new FakeCatalog();
    catalog.put({ table: parquetTable('s3://lake/customers/'), access: { 'arn:aws:iam::111111111111:role/Other': 'all' } });
    const athena = createAthenaService({ db, clock: fixedClock(Date.UTC(2026, 0, 1)), catalog, objects: { objectFiles: async () => [] }, internal: () => { throw new Error('no S3 in this test'); } });
    try {
      await runMigrations(db, athena.migrations);
      const ctx = ctxAs('arn:aws:iam::111111111111:role/R');
      const out = (await athena.definition.handlers.StartQueryExecution!({ QueryString: 'SELECT id FROM sales.customers', ResultConfiguration: { OutputLocation: 's3://results/x/' } }, ctx)) as { QueryExecutionId: string };
      await athena.settle();
      expect(await athena.tableAccess(out.QueryExecutionId)).toEqual({ accountId: ctx.accountId, tables: ['sales.customers: Table sales.customers not found'] });
      expect(await athena.tableAccess('nope')).toBeUndefined();
    } finally {
      await athena.close();
      await db.close();
    }
  });
});
