/**
 * The metadata backend for an e2e test file: the ephemeral SQLite default, or PostgreSQL when MLZONE_TEST_PG is set
 * (e.g. postgres://postgres@127.0.0.1:5432/test), each run in a schema (and data dir) of its own, removed after.
 * Tests written against `startOnBackend` pass on both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startTestServer, type TestServer } from './server.js';

export async function startOnBackend(): Promise<TestServer> {
  const url = process.env.MLZONE_TEST_PG;
  if (!url) return startTestServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-pg-'));
  const schema = `mlzone_e2e_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const server = await startTestServer({ ephemeral: false, dataDir, databaseUrl: url, databaseSchema: schema });
  return {
    ...server,
    async close() {
      await server.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
