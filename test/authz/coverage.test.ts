import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coveragePath, renderCoverage } from '../../scripts/coverage.js';
import { createServiceRegistry } from '../../src/gateway/service-registry.js';
import { createModelRegistry } from '../../src/spec/load.js';
import { openServices } from './definitions.js';

describe('docs/coverage.md', () => {
  it('matches the implemented operations (run `npx tsx scripts/coverage.ts`)', async () => {
    const committed = existsSync(coveragePath) ? readFileSync(coveragePath, 'utf8') : '';
    expect(committed).toBe(await renderCoverage());
  });

  // /_mlzone/health reads the handler tables without building models; that is only right while every handler
  // is named after an operation of its service's model.
  it('health lists exactly the handlers that name a model operation', async () => {
    const models = createModelRegistry();
    const services = await openServices({ migrate: false });
    try {
      const registry = createServiceRegistry(services.definitions, (name) => models.get(name));
      const fromModels = Object.fromEntries(Object.entries(registry.coverage()).map(([k, v]) => [k, v.implemented]));
      expect(registry.implemented()).toEqual(fromModels);
    } finally {
      await services.close();
    }
  });
});
