/**
 * Start-up time: process spawn → first 200 from `GET /_mlzone/health` (polled every 5 ms), `runs` times each for
 *   - `--ephemeral` (in-memory SQLite; the blueprint is seeded on every start), and
 *   - an existing `--data-dir` (created and seeded once beforehand, not timed; every timed start reopens it).
 * Also the server's RSS and peak RSS right after start.
 *
 *   node --import tsx bench/startup.ts [runs=10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuSecondsOf, memoryOf } from './procfs.js';
import { spawnMlzone } from './server.js';

export interface StartupStats {
  readonly mode: 'ephemeral (seeds blueprint)' | 'existing data dir (no seeding)';
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Median RSS / peak RSS right after the first 200, MiB. */
  readonly rssMiB: number;
  readonly hwmMiB: number;
  /** Median CPU time (user + system) the server used until its first 200, ms: less sensitive to other load. */
  readonly cpuMs: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function series(mode: StartupStats['mode'], runs: number, dataDir?: string): Promise<StartupStats> {
  const ms: number[] = [];
  const rss: number[] = [];
  const hwm: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = await spawnMlzone({ auth: 'strict', dataDir });
    try {
      ms.push(child.readyMs);
      const c = cpuSecondsOf(child.pid);
      if (c !== undefined) cpu.push(c * 1000);
      const m = memoryOf(child.pid);
      if (m) {
        rss.push(m.rssMiB);
        hwm.push(m.hwmMiB);
      }
    } finally {
      await child.stop();
    }
  }
  return { mode, runs, medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms), rssMiB: median(rss), hwmMiB: median(hwm), cpuMs: median(cpu) };
}

export async function measureStartup(runs = 10): Promise<StartupStats[]> {
  const out: StartupStats[] = [];
  // One untimed start first so that the OS file cache holds node, dist/ and node_modules as in a developer's loop.
  await (await spawnMlzone({ auth: 'strict' })).stop();
  out.push(await series('ephemeral (seeds blueprint)', runs));
  const dir = mkdtempSync(join(tmpdir(), 'mlzone-bench-'));
  try {
    await (await spawnMlzone({ auth: 'strict', dataDir: dir })).stop(); // creates and seeds, untimed
    out.push(await series('existing data dir (no seeding)', runs, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export function startupTable(stats: readonly StartupStats[]): string {
  const rows = stats.map(
    (s) =>
      `| ${s.mode} | ${s.runs} | **${s.medianMs.toFixed(0)}** | ${s.minMs.toFixed(0)} | ${s.maxMs.toFixed(0)} | ${s.cpuMs.toFixed(0)} | ${s.rssMiB.toFixed(0)} | ${s.hwmMiB.toFixed(0)} |`,
  );
  return [
    '| start | runs | median ms | min ms | max ms | server CPU ms (median) | RSS MiB | peak RSS MiB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Math.min(Math.max(1, Number(process.argv[2] ?? 10)), 50);
  console.log(startupTable(await measureStartup(runs)));
}
