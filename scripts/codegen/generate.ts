/**
 * Regenerates `src/services/<svc>/api.gen.ts` from `specs/`: `npm run codegen` (or
 * `npx tsx scripts/codegen/generate.ts`). `--check` exits 1 when a committed file would change.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createModelRegistry } from '../../src/spec/load.js';
import { emitApi, prefixFor } from './emit.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/** The services under `specs/` (every directory with a service-2.json), sorted. */
export function specServices(root: string = repoRoot): string[] {
  const dir = join(root, 'specs');
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, 'service-2.json')))
    .sort();
}

/** Every generated file (absolute path + text): one per service under `specs/`. */
export function generatedFiles(root: string = repoRoot): GeneratedFile[] {
  const registry = createModelRegistry(join(root, 'specs'));
  return specServices(root).map((svc) => {
    const model = registry.get(svc);
    return { path: join(root, 'src', 'services', svc, 'api.gen.ts'), text: emitApi(model, prefixFor(model)) };
  });
}

/** Files whose committed text differs from what the generator produces now. */
export function staleFiles(root: string = repoRoot): string[] {
  return generatedFiles(root)
    .filter((f) => !existsSync(f.path) || readFileSync(f.path, 'utf8') !== f.text)
    .map((f) => f.path);
}

function main(): void {
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    for (const p of stale) console.error(`stale: ${p}`);
    process.exit(stale.length > 0 ? 1 : 0);
  }
  for (const f of generatedFiles()) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text);
    console.log(`wrote ${f.path}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
