#!/usr/bin/env node
// Runs the bundled CLI (dist/mlzone.cjs, built by `npm install` through the `prepare` script) with the V8 code
// cache recorded at build time, so a start neither parses the bundle nor compiles the functions a start runs
// (see scripts/bundle.mjs). A cache V8 rejects (another Node version) only costs that time back.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/mlzone.cjs', import.meta.url));
const codeCache = `${bundle}.cache`;
if (!existsSync(bundle)) {
  console.error('mlzone is not built yet: run `npm install` (or `npm run build`) in the mlzone folder first.');
  process.exit(1);
}
const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), {
  filename: bundle,
  cachedData: existsSync(codeCache) ? readFileSync(codeCache) : undefined,
});
if (process.env.MLZONE_WRITE_CODE_CACHE === '1') {
  // After the start has run, so the cache holds the functions it compiled, not only the top level.
  // Written aside and renamed, so that an mlzone starting meanwhile reads the old cache or the new one, never half.
  process.once('exit', () => {
    writeFileSync(`${codeCache}.${process.pid}`, script.createCachedData());
    renameSync(`${codeCache}.${process.pid}`, codeCache);
  });
}
const module = { exports: {} };
script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
