/**
 * CPU profile of the server under load: starts mlzone with `--cpu-prof`, runs one load cell against it (bench/load.ts
 * in its own process), stops the server (SIGTERM, so V8 writes the profile) and prints the top of the profile.
 *
 *   node --import tsx bench/profile.ts [--auth strict] [--op gci] [--concurrency 16] [--seconds 10] [--top 25]
 *
 * The .cpuprofile stays in a temporary directory (path printed) for Chrome DevTools / speedscope.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadResult } from './load.js';
import { markdown, summarize } from './profile-summary.js';
import { ROOT, spawnMlzone } from './server.js';

const { values } = parseArgs({
  options: {
    auth: { type: 'string', default: 'strict' },
    op: { type: 'string', default: 'gci' },
    concurrency: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    top: { type: 'string', default: '25' },
  },
});
const auth = values.auth as 'strict' | 'accounts' | 'off';
const dir = mkdtempSync(join(tmpdir(), 'mlzone-prof-'));
const server = await spawnMlzone({ auth, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
let result: LoadResult;
try {
  const seconds = Math.min(Number(values.seconds), 60);
  const args = ['--import', 'tsx', join(ROOT, 'bench', 'load.ts'), '--url', server.url, '--op', values.op!, '--concurrency', values.concurrency!];
  args.push('--seconds', String(seconds), '--warmup', '2', '--server-pid', String(server.pid), '--role', auth === 'off' ? 'Admin' : 'DataScientist');
  result = await new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
      else reject(new Error(`load generator exited with ${code}`));
    });
  });
} finally {
  await server.stop();
}
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
const s = summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Parameters<typeof summarize>[0]);
const top = Number(values.top);
const perReq = result.serverCpu !== undefined ? ` (${((result.serverCpu / result.rps) * 1e6).toFixed(0)} µs server CPU per request)` : '';
console.log(`${auth} ${result.op} c${result.concurrency}: ${result.rps.toFixed(0)} req/s, ${result.errors} errors${perReq}`);
console.log(`profile: ${join(dir, file)} — ${s.wallMs.toFixed(0)} ms, idle ${s.idlePct.toFixed(1)}% (includes start-up and warm-up)\n`);
console.log(`By self time:\n${markdown(s.self, top)}\n\nBy inclusive time:\n${markdown(s.total, top)}`);
