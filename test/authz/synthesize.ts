/**
 * Plausible inputs for an operation, walked from its input shape in the service model: enums take their
 * first value, strings the first of a few candidates that satisfies the member's pattern and length, ARNs
 * are built from the reference's ARN format of the resource type the member names, policy documents are
 * minimal valid JSON, lists have one element, maps one entry, numbers their minimum.
 *
 * `overrides` (by member name, at any depth) put the names and ids of fixture entities in place of the
 * generated values; a list of values there means "one input per value" (see `synthesizeInputs`).
 */
import type { Member, Shape, StructureShape } from '../../src/spec/model.js';
import { compileModelPattern } from '../../src/spec/pattern.js';

export type Mode = 'required' | 'full';

/** `service` → resource type → ARN format, from the reference (`arn:${Partition}:iam::${Account}:role/…`). */
export type ArnFormats = ReadonlyMap<string, ReadonlyMap<string, string>>;

export interface SynthesisOptions {
  /** The service whose operation this is (ARNs are first looked up among its resource types). */
  readonly service: string;
  readonly accountId: string;
  readonly region: string;
  /** `required`: required members only; `full`: every member (to a limited depth). */
  readonly mode: Mode;
  readonly arnFormats: ArnFormats;
  /** Values by member name; an array of alternatives is spread over several inputs. */
  readonly overrides?: Readonly<Record<string, Alternatives>>;
}

/** One value, or several to try in turn. */
export interface Alternatives {
  readonly values: readonly unknown[];
}

export const one = (value: unknown): Alternatives => ({ values: [value] });
export const each = (...values: unknown[]): Alternatives => ({ values });

/** Plausible values for members that mean the same in every service. */
export const COMMON_VALUES: Readonly<Record<string, Alternatives>> = {
  Tags: one([{ Key: 'team', Value: 'ds' }]),
  TagKeys: one(['team']),
  TransitiveTagKeys: one(['team']),
  // Glue and Lake Formation: a catalog id is the owner's account id.
  CatalogId: one('444444444444'),
  TableCatalogId: one('444444444444'),
  SchemaVersionId: one('01234567-89ab-cdef-0123-456789abcdef'),
};

const MAP_TAGS: Alternatives = one({ team: 'ds' });

const IDENTITY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
});
const TRUST_POLICY = (accountId: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' }],
  });
const SERVICE_CONTROL_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }],
});

/** Candidate strings, tried in order against the member's pattern and length limits. */
const STRING_CANDIDATES = [
  'example',
  '/',
  'example-session',
  // Patterned strings: an email (Organizations' CreateAccount), a create-account request id.
  'new-team@mlzone.example',
  'car-0123456789abcdef',
  // An Organizations handshake id.
  'h-0123456789',
  'AKIAIOSFODNN7EXAMPLE',
  '555555555555',
  'r-ex99',
  'ou-ex99-absent00',
  'p-absent000',
  'v1',
  '123456',
  'GAAQEAAAAACwdrMHVYsbEkMF',
  // S3 CopySource (`bucket/key`).
  'example/example',
  // SageMaker: S3 URIs, image digests, framework versions.
  's3://example/example',
  `sha256:${'0'.repeat(64)}`,
  '1.0',
  // ARNs in members whose names do not say what they name (`ValidationRole`, `SuccessTopic`, list members).
  'arn:aws:iam::444444444444:role/example',
  'arn:aws:sns:us-east-1:444444444444:example',
  'arn:aws:sagemaker:us-east-1:444444444444:model-package/example/1',
  'arn:aws:sagemaker:us-east-1:444444444444:training-plan/example',
  'arn:aws:sagemaker:us-east-1:444444444444:pipeline/example/execution/example',
  'arn:aws:sagemaker:us-east-1:444444444444:mlflow-tracking-server/example',
  'arn:aws:sagemaker:us-east-1:aws:hub-content/example/DataSet/example',
  // Athena: KMS keys and IAM Identity Center instances in workgroup configurations.
  'alias/example',
  'arn:aws:sso:::instance/ssoins-0123456789abcdef',
  'arn:aws:sagemaker:us-east-1:aws:hub-content/example/Model/example',
  'arn:aws:lambda:us-east-1:444444444444:function:example',
  'fs-0123456789',
];

/** Member-name words that name a resource type differently from the reference (CloudWatch's ResourceARN: an alarm). */
const ARN_ALIASES: Readonly<Record<string, string>> = { permissionsboundary: 'policy', policysource: 'user', provider: 'context-provider', resourcearn: 'alarm' };

function fits(shape: Shape, s: string): boolean {
  if (shape.min !== undefined && s.length < shape.min) return false;
  if (shape.max !== undefined && s.length > shape.max) return false;
  const re = shape.pattern ? compileModelPattern(shape.pattern) : undefined;
  return re ? re.test(s) : true;
}

class Synthesizer {
  /** The most alternatives any override used so far offered. */
  alternativesUsed = 1;

  constructor(
    private readonly o: SynthesisOptions,
    /** Which alternative of a multi-valued override to use. */
    private readonly variant: number,
  ) {}

  structure(shape: StructureShape, path: readonly string[], depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of shape.memberNames) {
      const required = shape.requiredSet.has(name);
      if (!required && (this.o.mode === 'required' || depth > 3)) continue;
      const member = shape.members[name]!;
      if (member.location === 'header' || member.location === 'headers' || member.location === 'statusCode') {
        if (!required) continue;
      }
      const v = this.member(member, [...path, name], depth + 1);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  private member(member: Member, path: readonly string[], depth: number): unknown {
    // Tags are a list of {Key, Value} in most models and a map in some (OAM): the common value fits the list form.
    const common = member.name === 'Tags' && member.shape.type === 'map' ? MAP_TAGS : COMMON_VALUES[member.name];
    const alt = this.o.overrides?.[member.name] ?? common;
    if (alt && alt.values.length > 0) {
      this.alternativesUsed = Math.max(this.alternativesUsed, alt.values.length);
      return alt.values[Math.min(this.variant, alt.values.length - 1)];
    }
    return this.value(member.shape, path, depth);
  }

  private value(shape: Shape, path: readonly string[], depth: number): unknown {
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, path, depth);
      case 'list':
        return [this.member(shape.member, path, depth + 1)];
      case 'map': {
        // As many entries as the map's minimum asks for (Logs' entity key attributes need two).
        const out: Record<string, unknown> = { example: this.member(shape.value, path, depth + 1) };
        for (let k = 1; k < (shape.min ?? 1); k++) out[`example${k}`] = this.member(shape.value, path, depth + 1);
        return out;
      }
      case 'boolean':
        return true;
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        return shape.min ?? 1;
      case 'timestamp':
        return new Date(Date.UTC(2026, 0, 1));
      case 'blob':
        return new Uint8Array([1, 2, 3]);
      case 'string':
        return this.string(shape, path);
    }
  }

  private string(shape: Shape, path: readonly string[]): string {
    if (shape.enum && shape.enum.length > 0) return shape.enum[0]!;
    const name = path[path.length - 1] ?? '';
    if (/PolicyDocument|PolicyContent/i.test(shape.name)) {
      if (/AssumeRole/i.test(name)) return TRUST_POLICY(this.o.accountId);
      return this.o.service === 'organizations' ? SERVICE_CONTROL_POLICY : IDENTITY_POLICY;
    }
    if (/arn$/i.test(name) || /^arn/i.test(shape.name) || name === 'PermissionsBoundary') {
      const arn = this.arn(path);
      // An ARN of the guessed type that the member's own pattern refuses gives way to a candidate it accepts.
      if (fits(shape, arn) || !STRING_CANDIDATES.some((c) => fits(shape, c))) return arn;
    }
    for (const c of STRING_CANDIDATES) if (fits(shape, c)) return c;
    const min = shape.min ?? 1;
    return 'x'.repeat(Math.max(min, 1));
  }

  /** An ARN of the resource type the member (or an enclosing member) names, in this service or IAM. */
  private arn(path: readonly string[]): string {
    for (const raw of [...path].reverse()) {
      const word = raw.replace(/Arns?$/i, '').replace(/s$/, '').toLowerCase();
      // SageMaker names members after kebab-case resource types (`ModelPackageArnList` → model-package) and roles
      // after what they do (`ExecutionRoleArn`, `ValidationRole` → role).
      const kebab = raw.replace(/(Arns?)?(List)?$/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
      const types = [ARN_ALIASES[raw.toLowerCase()] ?? ARN_ALIASES[word] ?? word, kebab, ...(word.endsWith('role') ? ['role'] : [])];
      if (!types[0] || types[0] === 'member') continue;
      for (const type of types) {
        for (const service of [this.o.service, 'iam']) {
          const format = this.o.arnFormats.get(service)?.get(type);
          if (format) return this.fill(format);
        }
      }
    }
    const own = [...(this.o.arnFormats.get(this.o.service)?.values() ?? [])][0];
    return own ? this.fill(own) : `arn:aws:${this.o.service}:${this.o.region}:${this.o.accountId}:example/example`;
  }

  private fill(format: string): string {
    return format.replace(/\$\{([^}]+)\}/g, (_m, p: string) => {
      if (p === 'Partition') return 'aws';
      if (p === 'Region') return this.o.region;
      if (p === 'Account') return this.o.accountId;
      return 'example';
    });
  }
}

/**
 * One input per alternative of the multi-valued overrides the input uses (at least one input).
 * Alternative `i` is used for every multi-valued member at once (clamped to its last value).
 */
export function synthesizeInputs(input: StructureShape | undefined, options: SynthesisOptions): Record<string, unknown>[] {
  if (!input) return [{}];
  const first = new Synthesizer(options, 0);
  const out = [first.structure(input, [], 0)];
  for (let i = 1; i < first.alternativesUsed; i++) out.push(new Synthesizer(options, i).structure(input, [], 0));
  return out;
}
