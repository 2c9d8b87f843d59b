#!/usr/bin/env node
// Runs the bundled CLI (dist/mlzone.mjs, one file: fast start-up); `npm install` builds it (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/mlzone.mjs', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('mlzone is not built yet: run `npm install` (or `npm run build`) in the mlzone folder first.');
  process.exit(1);
}
await import(main.href);
