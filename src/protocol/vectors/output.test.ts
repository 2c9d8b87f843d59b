import { describe, expect, it } from 'vitest';
import { AwsError } from '../../core/errors.js';
import { codecFor } from '../codec.js';
import type { OutputCase } from './runner.js';
import { loadVectors, suiteModel, untag } from './runner.js';

describe.each(['query', 'json', 'rest-json', 'rest-xml'])('output vectors: %s', (protocol) => {
  for (const suite of loadVectors<OutputCase>('output', protocol)) {
    describe(suite.description, () => {
      for (const c of suite.cases) {
        it(c.name, () => {
          const model = suiteModel(suite, c.given);
          const codec = codecFor(model);
          const op = model.operations[c.given.name];
          const res = c.error
            ? codec.serializeError(
                model,
                op,
                new AwsError(c.error.code, c.error.message, {
                  status: c.error.status,
                  fault: c.error.fault,
                  fields: untag(c.error.fields) as Record<string, unknown> | undefined,
                }),
                'REQID',
              )
            : codec.serialize(model, op, untag(c.result ?? {}), 'REQID');
          expect(res.status).toBe(c.serialized.status_code);
          for (const [k, v] of Object.entries(c.serialized.headers ?? {})) expect([k, res.headers[k.toLowerCase()]]).toEqual([k, v]);
          for (const k of c.serialized.forbid_headers ?? []) expect(res.headers[k.toLowerCase()]).toBeUndefined();
          const body = typeof res.body === 'string' ? Buffer.from(res.body) : res.body;
          if (c.serialized.body_base64 !== undefined) expect(body.toString('base64')).toBe(c.serialized.body_base64);
          else if (protocol === 'json' || (protocol === 'rest-json' && (c.serialized.body ?? '').startsWith('{'))) {
            expect(JSON.parse(body.toString())).toEqual(JSON.parse(c.serialized.body ?? '{}'));
          } else expect(body.toString()).toBe(c.serialized.body ?? '');
        });
      }
    });
  }
});
