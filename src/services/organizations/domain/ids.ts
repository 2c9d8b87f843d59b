/**
 * Identifier formats of AWS Organizations, as the service model's patterns define them, and generators
 * for new ones. Generators take a random source so tests can make them deterministic.
 */
import { randomBytes } from 'node:crypto';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Returns `n` random characters from `[a-z0-9]`. */
export type RandomChars = (n: number) => string;

export const randomChars: RandomChars = (n) => {
  const bytes = randomBytes(n);
  let out = '';
  // 36 does not divide 256; the bias (a few percent toward the first letters) is harmless for ids.
  for (let i = 0; i < n; i++) out += LOWER_ALNUM[bytes[i]! % LOWER_ALNUM.length];
  return out;
};

export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
export const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
export const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
export const ACCOUNT_ID = /^\d{12}$/;
export const POLICY_ID = /^p-[0-9a-zA-Z_]{8,128}$/;

export type TargetKind = 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';

/** What kind of root/OU/account id this is, from its syntax alone; undefined when it is none of them. */
export function targetKindOf(id: string): TargetKind | undefined {
  if (ACCOUNT_ID.test(id)) return 'ACCOUNT';
  if (OU_ID.test(id)) return 'ORGANIZATIONAL_UNIT';
  if (ROOT_ID.test(id)) return 'ROOT';
  return undefined;
}

export function newOrganizationId(rand: RandomChars = randomChars): string {
  return `o-${rand(10)}`;
}

export function newRootId(rand: RandomChars = randomChars): string {
  return `r-${rand(4)}`;
}

/** OU ids embed the root id's suffix: `ou-<root>-<8 chars>`. */
export function newOuId(rootId: string, rand: RandomChars = randomChars): string {
  return `ou-${rootId.slice(2)}-${rand(8)}`;
}

export function newPolicyId(rand: RandomChars = randomChars): string {
  return `p-${rand(8)}`;
}
