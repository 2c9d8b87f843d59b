/**
 * Principal / NotPrincipal of resource-based policies, trust policies and RCPs, compiled into one matcher that
 * also says *how* the caller matched (reference/iam.md §2.4 and the same-account table of §1.3):
 *
 *   "*", {"AWS":"*"}                              → direct (everyone, anonymous and services included)
 *   user ARN (caller is that user)                → direct
 *   assumed-role session ARN, federated-user ARN  → direct
 *   {"Service": …}, {"Federated": …}              → direct for that service / identity provider
 *   role ARN (caller is a session of it)          → via-role (still capped by the caller's boundary/session policy)
 *   user ARN (caller is its federated session)    → via-role
 *   account id / arn:…:iam::<acct>:root           → account (delegates to the account's own IAM)
 *
 * Partial wildcards are refused at write time ("use `*` plus aws:PrincipalArn"); user and role ARNs may appear
 * as unique ids (AIDA…/AROA…) when the entity was deleted and re-created.
 */
import { PolicyError, PolicyMessages } from './policy-error.js';
import type { CallerIdentity, PrincipalMatch } from './types.js';

const ACCOUNT_ID = /^\d{12}$/;
const PARTITION = 'aws(?:-[a-z]+)*';
const ROOT_ARN = new RegExp(`^arn:${PARTITION}:iam::(\\d{12}):root$`);
const USER_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:user/[^*?]+$`);
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:role/[^*?]+$`);
const SESSION_ARN = new RegExp(`^arn:${PARTITION}:sts::\\d{12}:assumed-role/[^/*?]+/[^*?]+$`);
const FEDERATED_USER_ARN = new RegExp(`^arn:${PARTITION}:sts::\\d{12}:federated-user/[^*?]+$`);
const UNIQUE_ID = /^A(?:IDA|ROA)[A-Z0-9]{8,}$/;
const SERVICE_NAME = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;

type ArnKind = 'user' | 'role' | 'session' | 'federated';

interface PrincipalSet {
  wildcard: boolean;
  accounts: Set<string>;
  arns: Map<string, ArnKind>;
  uniqueIds: Set<string>;
  services: Set<string>;
  federated: Set<string>;
  canonical: Set<string>;
}

function toList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
  throw new PolicyError(PolicyMessages.syntax);
}

/** Parses and validates a Principal/NotPrincipal value. Returns the AWS entries for existence checks. */
function parsePrincipal(value: unknown, awsOut: string[]): PrincipalSet {
  const set: PrincipalSet = {
    wildcard: false,
    accounts: new Set(),
    arns: new Map(),
    uniqueIds: new Set(),
    services: new Set(),
    federated: new Set(),
    canonical: new Set(),
  };
  if (value === '*') {
    set.wildcard = true;
    return set;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PolicyError(PolicyMessages.syntax);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw new PolicyError(PolicyMessages.syntax);
  for (const [type, raw] of entries) {
    const list = toList(raw);
    switch (type) {
      case 'AWS':
        for (const v of list) {
          awsOut.push(v);
          let m: RegExpExecArray | null;
          if (v === '*') set.wildcard = true;
          else if (ACCOUNT_ID.test(v)) set.accounts.add(v);
          else if ((m = ROOT_ARN.exec(v))) set.accounts.add(m[1]!);
          else if (USER_ARN.test(v)) set.arns.set(v, 'user');
          else if (ROLE_ARN.test(v)) set.arns.set(v, 'role');
          else if (SESSION_ARN.test(v)) set.arns.set(v, 'session');
          else if (FEDERATED_USER_ARN.test(v)) set.arns.set(v, 'federated');
          else if (UNIQUE_ID.test(v)) set.uniqueIds.add(v);
          else throw new PolicyError(PolicyMessages.invalidPrincipal('AWS', v));
        }
        break;
      case 'Service':
        for (const v of list) {
          if (!SERVICE_NAME.test(v)) throw new PolicyError(PolicyMessages.invalidPrincipal('SERVICE', v));
          set.services.add(v);
        }
        break;
      case 'Federated':
        for (const v of list) set.federated.add(v);
        break;
      case 'CanonicalUser':
        for (const v of list) set.canonical.add(v);
        break;
      default:
        throw new PolicyError(PolicyMessages.syntax);
    }
  }
  return set;
}

const RANK: Record<PrincipalMatch, number> = { direct: 3, 'via-role': 2, account: 1 };

function better(a: PrincipalMatch | undefined, b: PrincipalMatch | undefined): PrincipalMatch | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/** The strongest way `caller` matches the set, or undefined. */
function matchSet(set: PrincipalSet, caller: CallerIdentity): PrincipalMatch | undefined {
  if (set.wildcard) return 'direct';
  let best: PrincipalMatch | undefined;
  switch (caller.type) {
    case 'IAMUser':
      if (set.arns.get(caller.arn) === 'user') return 'direct';
      if (caller.uniqueId !== undefined && set.uniqueIds.has(caller.uniqueId)) return 'direct';
      break;
    case 'AssumedRole':
      if (set.arns.get(caller.arn) === 'session') return 'direct';
      if (caller.roleArn !== undefined && set.arns.get(caller.roleArn) === 'role') best = 'via-role';
      else if (caller.uniqueId !== undefined && set.uniqueIds.has(caller.uniqueId)) best = 'via-role';
      break;
    case 'FederatedUser':
      if (set.arns.get(caller.arn) === 'federated') return 'direct';
      if (caller.userArn !== undefined && set.arns.get(caller.userArn) === 'user') best = 'via-role';
      break;
    case 'AWSService':
      return caller.service !== undefined && set.services.has(caller.service) ? 'direct' : undefined;
    case 'Anonymous':
    case 'Root':
      break;
    default: {
      const never: never = caller.type;
      return never;
    }
  }
  if (caller.federatedProvider !== undefined && set.federated.has(caller.federatedProvider)) return 'direct';
  if (caller.type !== 'Anonymous' && caller.accountId && set.accounts.has(caller.accountId)) best = better(best, 'account');
  if (caller.canonicalUserId !== undefined && set.canonical.has(caller.canonicalUserId)) best = better(best, 'account');
  return best;
}

/**
 * NotPrincipal: the caller is excluded when any identity it carries is listed — its own ARN, its role (for
 * sessions), its IAM user (for federated sessions), its account, its service. AWS's exact order for partial
 * lists is undocumented (reference/iam.md §2.4 [?]); this is the conservative reading.
 */
function excluded(set: PrincipalSet, caller: CallerIdentity): boolean {
  return matchSet(set, caller) !== undefined;
}

export type PrincipalMatcher = (caller: CallerIdentity) => PrincipalMatch | undefined;

export function compilePrincipal(value: unknown, negated: boolean, awsOut: string[]): PrincipalMatcher {
  const set = parsePrincipal(value, awsOut);
  if (negated) return (caller) => (excluded(set, caller) ? undefined : 'direct');
  return (caller) => matchSet(set, caller);
}

/** True for the `Principal: "*"` / `{"AWS":"*"}` forms (RCPs allow nothing else). */
export function isWildcardPrincipal(value: unknown): boolean {
  if (value === '*') return true;
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  const aws = (value as Record<string, unknown>).AWS;
  return keys.length === 1 && (aws === '*' || (Array.isArray(aws) && aws.length === 1 && aws[0] === '*'));
}
