/**
 * Regenerates `src/services/<svc>/api.gen.ts` from `specs/`: `npm run codegen` (or
 * `npx tsx scripts/codegen/generate.ts`). `--check` exits 1 when a committed file would change.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createModelRegistry } from '../../src/spec/load.js';
import { GENERATED_SERVICES, emitApi } from './emit.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/** Every generated file (absolute path + text) for the services in GENERATED_SERVICES. */
export function generatedFiles(root: string = repoRoot): GeneratedFile[] {
  const registry = createModelRegistry(join(root, 'specs'));
  return Object.entries(GENERATED_SERVICES).map(([svc, prefix]) => ({
    path: join(root, 'src', 'services', svc, 'api.gen.ts'),
    text: emitApi(registry.get(svc), prefix),
  }));
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
