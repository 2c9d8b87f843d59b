// Bundles the CLI (src/cli/main.ts and everything it imports, dependencies included) into one CommonJS file,
// dist/mlzone.cjs, and records a V8 code cache for it, dist/mlzone.cjs.cache; bin/mlzone.js runs the bundle with
// that cache. Both are about start-up time: one file instead of hundreds (Kysely alone is ~280 files through the
// ESM loader), and no compiling of the 1 MB bundle nor of the functions a start runs (the cache is written after
// a real start, so it holds them compiled). CommonJS because Node 20 can hand a code cache only to `vm.Script`
// (Node ≥ 22.1 has `module.enableCompileCache()` for ES modules). Native or optional pieces stay external:
// better-sqlite3 (a native addon) and pg (imported only with --database-url). Also writes
// dist/default-blueprint.json (the built-in blueprint, pre-parsed) and dist/runtime/builtin-{serve,train,parquet-tool}.cjs (the
// built-in algorithms' server and training and the Data Wrangler runtime's Parquet tool, separate bundles because each runs as its own process). Run by
// `npm run build` after tsc. `node scripts/bundle.mjs --code-cache-only` records the code cache again for the bundle
// as it is (after a Node upgrade, which makes V8 reject the old cache).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'mlzone.cjs');
const codeCache = `${bundle}.cache`;

if (!process.argv.includes('--code-cache-only')) await buildAll();
await recordCodeCache();

async function buildAll() {
  await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts'],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3', 'pg', '@duckdb/node-api', '@duckdb/node-bindings'],
    // The sources are ES modules that find their package through import.meta.url; in the bundle that is the
    // bundle's own URL.
    define: { 'import.meta.url': '__mlzoneBundleUrl' },
    banner: { js: "const __mlzoneBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });

  // The built-in algorithms' server runs as one child process per endpoint instance, and their training as one child
  // process per training job (src/runtime/launch.ts): one small self-contained file each keeps a start fast and its
  // memory small. The Data Wrangler runtime's Parquet tool uses DuckDB, which stays external (a native addon).
  for (const entry of ['serve', 'train', 'parquet-tool']) {
    await build({
      absWorkingDir: root,
      entryPoints: [`src/runtime/builtin/${entry}.ts`],
      outfile: join(root, 'dist', 'runtime', `builtin-${entry}.cjs`),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['@duckdb/node-api', '@duckdb/node-bindings'],
      target: 'node20',
      minify: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
  }

  // The built-in blueprint, parsed once here (YAML parsing is ~40 ms of every start); see src/org/blueprint.ts.
  const blueprint = await import(pathToFileURL(join(root, 'dist', 'org', 'blueprint.js')).href);
  const text = readFileSync(blueprint.defaultBlueprintPath(), 'utf8');
  blueprint.parseBlueprint(text); // refuse to build with an invalid default blueprint
  writeFileSync(blueprint.prebuiltBlueprintPath(), JSON.stringify({ sha256: blueprint.blueprintSha256(text), raw: blueprint.parseBlueprintYaml(text) }));
}

/** One real start (ephemeral, on a free loopback port) until the first 200; bin/mlzone.js writes the cache as it exits. */
async function recordCodeCache() {
  // The old cache stays until the new one replaces it (bin/mlzone.js renames it into place): an mlzone starting
  // meanwhile still finds one.
  const started = Date.now();
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'bin', 'mlzone.js'), 'up', '--ephemeral', '--port', String(port)], {
    env: { ...process.env, MLZONE_WRITE_CODE_CACHE: '1' },
    // What this internal start prints (its shutdown notice on SIGINT, mlzone's own notes) is not for the person
    // installing: it is kept and shown only when the recording fails.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const deadline = Date.now() + 30_000;
  while ((await health(port)) !== 200) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`bundle.mjs: the bundled mlzone did not answer /_mlzone/health; the bundle is broken\n${stderr}`);
    }
    await sleep(10);
  }
  child.kill('SIGINT');
  const code = await exited;
  if (code !== 0 || !existsSync(codeCache) || statSync(codeCache).mtimeMs < started - 1000) throw new Error(`bundle.mjs: no code cache was written to ${codeCache} (exit ${code})\n${stderr}`);
}

function health(port) {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/_mlzone/health', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
