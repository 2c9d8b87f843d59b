import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string>();

/**
 * The mlzone package folder (the one holding mlzone's `package.json`, next to `specs/` and `blueprints/`), found
 * by walking up from `moduleUrl`'s directory. Works wherever the calling module runs from: `src/**` (vitest, tsx),
 * `dist/**` (tsc output) or the bundle `dist/mlzone.cjs`. Bounded by the depth of the path.
 * @example join(packageRoot(import.meta.url), 'specs')
 */
export function packageRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  const known = cache.get(start);
  if (known !== undefined) return known;
  let dir = start;
  for (let depth = 0; depth < 64; depth++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'mlzone') {
          cache.set(start, dir);
          return dir;
        }
      } catch {
        // not JSON: keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find mlzone's package.json above ${start}`);
}
