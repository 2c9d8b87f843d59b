import { describe, expect, it } from 'vitest';
import { buildServiceModel } from '../spec/load.js';
import type { RawShape } from '../spec/model.js';
import { validateInput } from './validate.js';

const shapes: Record<string, RawShape> = {
  Input: {
    type: 'structure',
    required: ['RoleName', 'Mode'],
    members: {
      RoleName: { shape: 'RoleName' },
      Mode: { shape: 'Mode' },
      Count: { shape: 'Count' },
      Tags: { shape: 'Tags' },
      Keys: { shape: 'Keys' },
      Attrs: { shape: 'Attrs' },
      Password: { shape: 'Password' },
      Nested: { shape: 'Nested' },
      Weird: { shape: 'Weird' },
    },
  },
  RoleName: { type: 'string', min: 1, max: 64, pattern: '[\\w+=,.@-]+' },
  Mode: { type: 'string', enum: ['Fast', 'Slow'] },
  Count: { type: 'integer', min: 1, max: 10 },
  Tags: { type: 'list', member: { shape: 'Tag' }, max: 2 },
  Tag: { type: 'structure', required: ['Key'], members: { Key: { shape: 'TagKey' }, Value: { shape: 'TagValue' } } },
  TagKey: { type: 'string', min: 1, max: 128 },
  TagValue: { type: 'string', max: 4 },
  Keys: { type: 'list', member: { shape: 'TagKey' } },
  Attrs: { type: 'map', key: { shape: 'AttrKey' }, value: { shape: 'TagValue' }, max: 5 },
  AttrKey: { type: 'string', pattern: '[a-z]+' },
  Password: { type: 'string', min: 8, sensitive: true },
  Nested: { type: 'structure', required: ['Inner'], members: { Inner: { shape: 'Count' } } },
  Weird: { type: 'string', pattern: '[a-z&&[^b]]+' },
};

function model(protocol: string, extraShapes: Record<string, RawShape> = {}) {
  return buildServiceModel('v', {
    metadata: { apiVersion: '2020-01-01', endpointPrefix: 'v', protocol, serviceId: 'V' },
    operations: { Op: { name: 'Op', http: { method: 'POST', requestUri: '/' }, input: { shape: 'Input' } } },
    shapes: { ...shapes, ...extraShapes },
  });
}

const query = model('query');
const check = (input: Record<string, unknown>) => validateInput(query, query.operations.Op, input)?.message;
const ok = { RoleName: 'r', Mode: 'Fast' };

describe('validateInput', () => {
  it('accepts valid input', () => {
    expect(validateInput(query, query.operations.Op, { ...ok, Count: 3, Tags: [{ Key: 'k', Value: 'v' }], Attrs: { a: 'x' } })).toBeUndefined();
  });

  it('one violation: AWS wording, camel-cased path; a failed length hides the pattern check', () => {
    const err = validateInput(query, query.operations.Op, { ...ok, RoleName: '' });
    expect(err?.code).toBe('ValidationError');
    expect(err?.status).toBe(400);
    expect(err?.message).toBe(
      "1 validation error detected: Value '' at 'roleName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('several violations joined with "; "', () => {
    expect(check({ RoleName: 'a b', Count: 11 })).toBe(
      "3 validation errors detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; " +
        "Value null at 'mode' failed to satisfy constraint: Member must not be null; " +
        "Value '11' at 'count' failed to satisfy constraint: Member must have value less than or equal to 10",
    );
  });

  it('enums, max length, min value', () => {
    expect(check({ RoleName: 'x'.repeat(65), Mode: 'Medium', Count: 0 })).toBe(
      `3 validation errors detected: Value '${'x'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64; ` +
        "Value 'Medium' at 'mode' failed to satisfy constraint: Member must satisfy enum value set: [Fast, Slow]; " +
        "Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('structures in lists: tags.N.member.key; list length', () => {
    expect(check({ ...ok, Tags: [{ Key: 'a' }, { Value: 'toolong' }, { Key: 'c' }] })).toBe(
      "3 validation errors detected: Value '[{Key=a}, {Value=toolong}, {Key=c}]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 2; " +
        "Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null; " +
        "Value 'toolong' at 'tags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 4",
    );
  });

  it('lists and maps of scalars report one aggregated line', () => {
    expect(check({ ...ok, Keys: ['ok', ''] })).toBe(
      "1 validation error detected: Value '[ok, ]' at 'keys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length greater than or equal to 1]",
    );
    expect(check({ ...ok, Attrs: { A: 'v', b: 'toolong' } })).toBe(
      "2 validation errors detected: Value '{A=v, b=toolong}' at 'attrs' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-z]+]; " +
        "Value '{A=v, b=toolong}' at 'attrs' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 4]",
    );
  });

  it('does not echo sensitive values; nested structures; unsupported patterns are skipped', () => {
    expect(check({ ...ok, Password: 'short', Nested: {}, Weird: 'bbb' })).toBe(
      "2 validation errors detected: Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 8; " +
        "Value null at 'nested.inner' failed to satisfy constraint: Member must not be null",
    );
  });

  it('JSON protocols use ValidationException (with the model shape status when defined)', () => {
    const json = model('json');
    expect(validateInput(json, json.operations.Op, {})?.code).toBe('ValidationException');
    const withShape = model('json', { ValidationException: { type: 'structure', members: {}, exception: true, error: { httpStatusCode: 422 } } });
    const err = validateInput(withShape, withShape.operations.Op, {});
    expect([err?.code, err?.status]).toEqual(['ValidationException', 422]);
  });
});
