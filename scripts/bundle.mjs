// Bundles the CLI (src/cli/main.ts and everything it imports, dependencies included) into one ES module,
// dist/mlzone.mjs, which bin/mlzone.js runs: one file to load instead of hundreds (Kysely alone is ~280 files
// through the ESM loader), which is most of mlzone's start-up time. Native or optional pieces stay external:
// better-sqlite3 (a native addon) and pg (imported only with --database-url). Also writes
// dist/default-blueprint.json (the built-in blueprint, pre-parsed). Run by `npm run build` after tsc.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

// The built-in blueprint, parsed once here (YAML parsing is ~40 ms of every start); see src/org/blueprint.ts.
const blueprint = await import(pathToFileURL(join(root, 'dist', 'org', 'blueprint.js')).href);
const text = readFileSync(blueprint.defaultBlueprintPath(), 'utf8');
blueprint.parseBlueprint(text); // refuse to build with an invalid default blueprint
writeFileSync(blueprint.prebuiltBlueprintPath(), JSON.stringify({ sha256: blueprint.blueprintSha256(text), raw: blueprint.parseBlueprintYaml(text) }));
