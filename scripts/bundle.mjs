// Bundles the CLI (src/cli/main.ts and everything it imports, dependencies included) into one ES module,
// dist/mlzone.mjs, which bin/mlzone.js runs: one file to load instead of hundreds (Kysely alone is ~280 files
// through the ESM loader), which is most of mlzone's start-up time. Native or optional pieces stay external:
// better-sqlite3 (a native addon) and pg (imported only with --database-url). Run by `npm run build`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/mlzone.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pg'],
  // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __mlzoneCreateRequire } from 'node:module'; const require = __mlzoneCreateRequire(import.meta.url);" },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
