import { randomBytes, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (let i = 0; i < n; i++) out += UPPER_ALNUM[bytes[i]! & 31];
  return out;
}

export const ids = {
  requestId: (): string => randomUUID(),
  /** IAM unique ids: AIDA (user), AROA (role), ANPA (managed policy), AKIA/ASIA (keys). 21 characters like AWS. */
  iamId: (prefix: 'AIDA' | 'AROA' | 'ANPA' | 'AGPA' | 'AIPA'): string => prefix + base32(17),
  accessKeyId: (temporary: boolean): string => (temporary ? 'ASIA' : 'AKIA') + base32(16),
  secretAccessKey: (): string => randomBytes(30).toString('base64').replace(/[+/=]/g, 'x').slice(0, 40),
  sessionToken: (): string => 'IQoJmlzone' + randomBytes(96).toString('base64'),
  uuid: (): string => randomUUID(),
};
