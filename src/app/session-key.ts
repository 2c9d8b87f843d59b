import type { Blueprint } from '../org/blueprint-types.js';

/**
 * The input keying material STS seals session tokens under when no secret is configured: the validated
 * blueprint itself (its accounts, ids and the secrets of its access keys), so every mlzone started from the
 * same blueprint derives the same key and one started from another cannot open its tokens.
 */
export function blueprintSeed(blueprint: Blueprint): Buffer {
  return Buffer.from(`mlzone-blueprint-seed v1\n${JSON.stringify(blueprint)}`);
}
