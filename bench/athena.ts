/**
 * Athena benchmark (`npm run bench:athena [-- --rows 10000000]`). mlzone runs in-process (createApp on port 0,
 * `--auth strict`, ephemeral) with the default landing zone's governed lake: the data-lake account's LakeAdmin
 * catalogs both tables in Glue, registers their location with Lake Formation and grants a data-cells filter
 * (`category <> 'c0'`) to the account's OrganizationAccountAccessRole, whose sessions query through the JS SDK. The engine-level figures use the same Lake
 * Formation catalog port (`app.lake.catalog`) with the files read from local paths.
 *
 * Measures: (1) query set-up overhead — gate + resolve + fresh locked DuckDB with the permitted view + run of
 * `SELECT 1 FROM t LIMIT 1`, engine-level, p50/p95 of 50; (2) StartQueryExecution → GetQueryExecution polling →
 * GetQueryResults end to end through HTTP, p50/p95 of 30; (3) an aggregate over N Parquet rows with a Lake
 * Formation row filter through the engine, beside plain DuckDB running the same filtered aggregate on the same
 * file (the ceiling), median of 5; (4) 16 queries started at once: their completion time and the worst latency
 * of a ListWorkGroups call made every 20 ms meanwhile (the API must keep answering).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir, availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, ListWorkGroupsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateDataCellsFilterCommand, GrantPermissionsCommand, LakeFormationClient, PutDataLakeSettingsCommand, RegisterResourceCommand } from '@aws-sdk/client-lakeformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DuckDBInstance } from '@duckdb/node-api';
import { createApp } from '../src/app/create-app.js';
import { QueryEngine } from '../src/query/engine.js';
import { ctxAs } from '../src/query/test-support.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000000' } } });
const ROWS = Number(values.rows);
const ORG_ADMIN = { accessKeyId: 'AKIA2TMBRLGFG6WAHVRL', secretAccessKey: '1d54e5811c59864d0de752af9f6ce8b4be10f4c8' };
const LAKE_ADMIN = { accessKeyId: 'AKIALXWRIIKOTTUQI7PC', secretAccessKey: 'd13444328d9494caeeec7eff78c88c988770de5a' };
const LAKE = '333333333333';
const CURATED = `mlzone-curated-${LAKE}`;
const RESULTS = `mlzone-raw-${LAKE}`;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mlzone-bench-athena-'));
  const out: string[] = [];
  const log = (s: string) => {
    out.push(s);
    console.log(s);
  };
  try {
    // Data: a small table and the N-row table, written by DuckDB.
    const small = join(work, 'small.parquet');
    const big = join(work, 'big.parquet');
    {
      const inst = await DuckDBInstance.create(':memory:');
      const c = await inst.connect();
      await c.run(`COPY (SELECT range AS id, 'c' || (range % 10) AS category FROM range(1000)) TO '${small}' (FORMAT parquet)`);
      await c.run(`COPY (SELECT range AS id, 'c' || (range % 10) AS category, (range % 1000) / 10.0 AS amount FROM range(${ROWS})) TO '${big}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)`);
      c.closeSync();
      inst.closeSync();
    }
    const app = await createApp({ host: '127.0.0.1', port: 0, dataDir: '', ephemeral: true, auth: 'strict' });
    try {
      const assume = async (as: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, roleArn: string) => {
        const out = await new STSClient({ endpoint: app.url, region: 'us-east-1', credentials: as }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bench' }));
        return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
      };
      const config = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => ({ endpoint: app.url, region: 'us-east-1', credentials, maxAttempts: 1 });
      // The platform team makes LakeAdmin the data lake admin (IAM-only access off for new tables).
      const platform = await assume(ORG_ADMIN, 'arn:aws:iam::111111111111:role/Admin');
      const lakeAccess = await assume(platform, `arn:aws:iam::${LAKE}:role/OrganizationAccountAccessRole`);
      await new LakeFormationClient(config(lakeAccess)).send(
        new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [{ DataLakePrincipalIdentifier: `arn:aws:iam::${LAKE}:role/LakeAdmin` }], CreateDatabaseDefaultPermissions: [], CreateTableDefaultPermissions: [] } }),
      );
      const creds = await assume(LAKE_ADMIN, `arn:aws:iam::${LAKE}:role/LakeAdmin`);
      const cfg = config(creds);
      const s3 = new S3Client({ ...cfg, forcePathStyle: true });
      await s3.send(new PutObjectCommand({ Bucket: CURATED, Key: 'bench/small/part-0.parquet', Body: readFileSync(small) }));
      await s3.send(new PutObjectCommand({ Bucket: CURATED, Key: 'bench/big/part-0.parquet', Body: readFileSync(big) }));
      const lf = new LakeFormationClient(cfg);
      const glue = new GlueClient(cfg);
      await lf.send(new RegisterResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/bench`, UseServiceLinkedRole: true }));
      await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'bench' } }));
      for (const [name, columns] of [
        ['small', [['id', 'bigint'], ['category', 'string']]],
        ['big', [['id', 'bigint'], ['category', 'string'], ['amount', 'double']]],
      ] as const) {
        await glue.send(
          new CreateTableCommand({
            DatabaseName: 'bench',
            TableInput: {
              Name: name,
              Parameters: { classification: 'parquet' },
              StorageDescriptor: { Columns: columns.map(([n, t]) => ({ Name: n, Type: t })), Location: `s3://${CURATED}/bench/${name}/`, SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' } },
            },
          }),
        );
        const filter = { TableCatalogId: LAKE, DatabaseName: 'bench', TableName: name, Name: 'not_c0' };
        await lf.send(new CreateDataCellsFilterCommand({ TableData: { ...filter, RowFilter: { FilterExpression: "category <> 'c0'" }, ColumnWildcard: {} } }));
        // The queries run as another principal of the account: LakeAdmin created the tables, so it holds ALL on them.
        await lf.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: `arn:aws:iam::${LAKE}:role/OrganizationAccountAccessRole` }, Resource: { DataCellsFilter: filter }, Permissions: ['SELECT'] }));
      }

      // (1) set-up overhead at the engine: the Lake Formation catalog port, files read from local paths.
      const engine = new QueryEngine(app.lake.catalog, async (_ctx, location) => [location.includes('/small/') ? { path: small, size: 1 } : { path: big, size: 1 }]);
      const ctx = ctxAs(`arn:aws:iam::${LAKE}:role/OrganizationAccountAccessRole`, LAKE);
      const setup: number[] = [];
      for (let i = 0; i < 55; i++) {
        const t0 = performance.now();
        await engine.start(ctx, { gated: await engine.check('SELECT 1 FROM small LIMIT 1'), database: 'bench' }).result;
        if (i >= 5) setup.push(performance.now() - t0);
      }
      log(`| measurement | p50 / result | p95 / ceiling | target |\n|---|---:|---:|---|`);
      log(`| query set-up + trivial run (gate, Lake Formation resolve, view, fresh locked DuckDB), engine | ${ms(pct(setup, 50))} | ${ms(pct(setup, 95))} | ≤ 15 ms p50 |`);

      // (2) end to end through HTTP.
      const athena = new AthenaClient(config(lakeAccess));
      const run = async (sql: string) => {
        const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: { Database: 'bench' }, ResultConfiguration: { OutputLocation: `s3://${RESULTS}/q/` } }));
        for (;;) {
          const q = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
          const state = q.QueryExecution!.Status!.State!;
          if (state === 'SUCCEEDED') break;
          if (state !== 'QUEUED' && state !== 'RUNNING') throw new Error(`${sql}: ${state} ${q.QueryExecution!.Status!.StateChangeReason}`);
          await new Promise((r) => setTimeout(r, 2));
        }
        return athena.send(new GetQueryResultsCommand({ QueryExecutionId }));
      };
      const e2e: number[] = [];
      for (let i = 0; i < 35; i++) {
        const t0 = performance.now();
        await run('SELECT id, category FROM small WHERE id < 10');
        if (i >= 5) e2e.push(performance.now() - t0);
      }
      log(`| StartQueryExecution → GetQueryExecution polling → GetQueryResults, HTTP | ${ms(pct(e2e, 50))} | ${ms(pct(e2e, 95))} | ≤ 50 ms p50 |`);

      // (3) aggregate over the big table with the row filter, engine vs plain DuckDB.
      const agg = 'SELECT category, count(*) AS n, avg(amount) AS a FROM big GROUP BY category ORDER BY category';
      const governed: number[] = [];
      for (let i = 0; i < 6; i++) {
        const t0 = performance.now();
        const r = await engine.start(ctx, { gated: await engine.check(agg), database: 'bench' }).result;
        if (r.rows.length !== 9) throw new Error(`row filter not applied: ${JSON.stringify(r.rows).slice(0, 300)}`);
        if (i > 0) governed.push(performance.now() - t0);
      }
      const plain: number[] = [];
      {
        const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
        const c = await inst.connect();
        for (let i = 0; i < 6; i++) {
          const t0 = performance.now();
          await c.runAndReadAll(`SELECT category, count(*) AS n, avg(amount) AS a FROM read_parquet('${big}') WHERE category <> 'c0' GROUP BY category ORDER BY category`);
          if (i > 0) plain.push(performance.now() - t0);
        }
        c.closeSync();
        inst.closeSync();
      }
      const g = pct(governed, 50);
      const p = pct(plain, 50);
      log(`| aggregate over ${ROWS.toLocaleString('en')} Parquet rows, row filter, engine (threads 2) | ${ms(g)} | plain DuckDB ${ms(p)} (ratio ${(g / p).toFixed(2)}) | ≤ 1 s |`);
      const viaApi: number[] = [];
      for (let i = 0; i < 4; i++) {
        const t0 = performance.now();
        await run(agg);
        if (i > 0) viaApi.push(performance.now() - t0);
      }
      log(`| same aggregate through the API (files in mlzone's S3) | ${ms(pct(viaApi, 50))} | | |`);

      // (4) 16 at once while the API is probed.
      const probes: number[] = [];
      let done = false;
      const prober = (async () => {
        while (!done) {
          const t0 = performance.now();
          await athena.send(new ListWorkGroupsCommand({}));
          probes.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 16 }, (_, i) => run(i % 2 === 0 ? agg : 'SELECT count(*) FROM small')));
      const all = performance.now() - t0;
      done = true;
      await prober;
      log(`| 16 concurrent queries (8 aggregates over ${ROWS.toLocaleString('en')} rows, 8 small) | all done in ${ms(all)} | ListWorkGroups meanwhile: p50 ${ms(pct(probes, 50))}, max ${ms(Math.max(...probes))} (${probes.length} calls) | API keeps answering |`);
    } finally {
      await app.close();
    }
    console.log(`\n- date: ${new Date().toUTCString()}\n- CPUs: ${availableParallelism()} × ${cpus()[0]?.model ?? '?'}\n- node ${process.version}; load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
