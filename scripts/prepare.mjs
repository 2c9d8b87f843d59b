// `prepare` (run by `npm install`/`npm ci`, and by `npx mlzone` in this folder, which installs the folder as a link
// into npx's cache and prepares it): builds dist/ only when it is missing or older than what it is built from, and
// says so. npm hides the output of a dependency's `prepare`, so during `npx` the message also goes to the terminal.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Written last by scripts/bundle.mjs: when it exists, the whole build finished.
const built = join(root, 'dist', 'mlzone.cjs.cache');
const inputs = ['src', 'scripts', 'blueprints', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

function newestInput() {
  let newest = 0;
  for (const entry of inputs) {
    const path = join(root, entry);
    if (!existsSync(path)) continue;
    const files = statSync(path).isDirectory() ? readdirSync(path, { recursive: true }).map((f) => join(path, String(f))) : [path];
    for (const f of files) newest = Math.max(newest, statSync(f).mtimeMs);
  }
  return newest;
}

function say(message) {
  console.error(message);
  if (process.stderr.isTTY) return;
  try {
    const tty = openSync('/dev/tty', 'w');
    writeSync(tty, `${message}\n`);
    closeSync(tty);
  } catch {
    // No terminal (CI): the message is in the log npm keeps.
  }
}

if (existsSync(built) && statSync(built).mtimeMs >= newestInput()) {
  console.error('mlzone: dist/ is up to date; not rebuilding (`npm run build` forces it)');
} else {
  say(`mlzone: building dist/ (type-checked compile, bundle and a V8 code cache; ~25 s) in ${root}`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  say('mlzone: dist/ built');
}
