import { describe, expect, it } from 'vitest';
import { codecFor } from '../codec.js';
import type { InputCase } from './runner.js';
import { loadVectors, suiteModel, tag, wireRequest } from './runner.js';

describe.each(['query', 'json', 'rest-json', 'rest-xml'])('input vectors: %s', (protocol) => {
  for (const suite of loadVectors<InputCase>('input', protocol)) {
    describe(suite.description, () => {
      for (const c of suite.cases) {
        it(c.name, () => {
          const model = suiteModel(suite, c.given);
          const codec = codecFor(model);
          const req = wireRequest(c.serialized);
          const op = codec.resolveOperation(req, model);
          expect(op?.name).toBe(c.given.name);
          expect(tag(codec.parse(req, model, op!))).toEqual(c.params);
        });
      }
    });
  }
});
