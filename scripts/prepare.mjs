// `prepare` (run by `npm install`/`npm ci`, and by `npx mlzone` in this folder, which installs the folder as a link
// into npx's cache and prepares it): builds dist/ only when it is missing or older than what it is built from, and
// says so. npm hides the output of a dependency's `prepare`, so during `npx` the message also goes to the terminal.
// `node scripts/prepare.mjs --dry-run` says what it would do and does nothing.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Written last by scripts/bundle.mjs: when it exists, the whole build finished.
const built = join(root, 'dist', 'mlzone.cjs.cache');
const inputs = ['src', 'scripts', 'blueprints', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The most recently changed file dist/ is built from. */
function newestInput() {
  let newest = { mtimeMs: 0, path: '' };
  for (const entry of inputs) {
    const path = join(root, entry);
    if (!existsSync(path)) continue;
    const files = statSync(path).isDirectory() ? readdirSync(path, { recursive: true }).map((f) => join(path, String(f))) : [path];
    for (const f of files) {
      const mtimeMs = statSync(f).mtimeMs;
      if (mtimeMs > newest.mtimeMs) newest = { mtimeMs, path: f };
    }
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

const dryRun = process.argv.includes('--dry-run');
const newest = newestInput();
if (existsSync(built) && statSync(built).mtimeMs >= newest.mtimeMs) {
  console.error(`mlzone: dist/ is up to date; ${dryRun ? 'nothing to do' : 'not rebuilding'} (\`npm run build\` forces it)`);
} else {
  const why = existsSync(built) ? `${relative(root, newest.path)} changed since the last build` : 'not built yet';
  if (dryRun) {
    console.error(`mlzone: dist/ would be built (${why}); --dry-run, so nothing was done`);
    process.exit(0);
  }
  say(`mlzone: building dist/ (${why}): type-checked compile, bundle and a V8 code cache, ~25 s, in ${root}`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  say('mlzone: dist/ built');
}
