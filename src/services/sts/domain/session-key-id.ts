import { randomBytes } from 'node:crypto';

/**
 * Temporary access key ids that name their account, as AWS's do (`GetAccessKeyInfo` answers from the key id
 * alone): `ASIA`, eight base32 characters holding the 12-digit account id (40 bits), eight random ones.
 */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ACCOUNT_CHARS = 8;

export function sessionAccessKeyId(accountId: string): string {
  let n = BigInt(accountId);
  let head = '';
  for (let i = 0; i < ACCOUNT_CHARS; i++) {
    head = BASE32[Number(n & 31n)]! + head;
    n >>= 5n;
  }
  const bytes = randomBytes(ACCOUNT_CHARS);
  let tail = '';
  for (const b of bytes) tail += BASE32[b & 31];
  return `ASIA${head}${tail}`;
}

/** The account a temporary access key id names, or undefined when it is not one of ours. */
export function accountOfSessionKey(accessKeyId: string): string | undefined {
  if (!/^ASIA[A-Z2-7]{16}$/.test(accessKeyId)) return undefined;
  let n = 0n;
  for (const c of accessKeyId.slice(4, 4 + ACCOUNT_CHARS)) n = (n << 5n) | BigInt(BASE32.indexOf(c));
  return n < 1_000_000_000_000n ? n.toString().padStart(12, '0') : undefined;
}
