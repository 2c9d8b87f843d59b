import { describe, expect, it } from 'vitest';
import { AwsError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import { resolveCredentials, type CredentialSources, type LongTermKey, type SessionResolution } from './principal.js';

const KEY: LongTermKey = {
  accessKeyId: 'AKIAEXAMPLE',
  secretAccessKey: 'secret',
  status: 'Active',
  accountId: '444444444444',
  userName: 'u',
  userId: 'AIDAEXAMPLE',
  userArn: 'arn:aws:iam::444444444444:user/u',
};
const SESSION: Principal = { type: 'AssumedRole', accountId: '444444444444', arn: 'arn:aws:sts::444444444444:assumed-role/R/s', userId: 'AROA1:s' };
const STYLE = { style: 'query', s3: false } as const;

function sources(async: boolean, session: SessionResolution): CredentialSources {
  const answer = <T>(v: T) => (async ? Promise.resolve(v) : v);
  return {
    findAccessKey: (id) => answer(id === KEY.accessKeyId ? KEY : undefined),
    resolveSession: () => answer(session),
  };
}
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as AwsError).code;
  }
  return 'no error';
};

describe('resolveCredentials', () => {
  it('answers without a promise from sources that answer without one, and with one otherwise', async () => {
    const ok: SessionResolution = { kind: 'ok', principal: SESSION, secretAccessKey: 's2' };
    const user = resolveCredentials(sources(false, ok), KEY.accessKeyId, undefined, 0, STYLE);
    expect(user).not.toBeInstanceOf(Promise);
    expect(user).toMatchObject({ principal: { type: 'IAMUser', arn: KEY.userArn, accessKeyId: KEY.accessKeyId }, secretAccessKey: 'secret' });
    // The same key record gives the same principal object (the authorizer keeps what it derives by object).
    expect((resolveCredentials(sources(false, ok), KEY.accessKeyId, undefined, 0, STYLE) as { principal: Principal }).principal).toBe((user as { principal: Principal }).principal);
    const session = resolveCredentials(sources(false, ok), 'ASIAEXAMPLE', 'token', 0, STYLE);
    expect(session).toMatchObject({ principal: SESSION, secretAccessKey: 's2' });
    const later = resolveCredentials(sources(true, ok), 'ASIAEXAMPLE', 'token', 0, STYLE);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toMatchObject({ principal: SESSION, secretAccessKey: 's2' });
  });

  it('refuses with the same AWS error either way: thrown, or the promise rejects', async () => {
    for (const [kind, expected] of [['expired', 'ExpiredToken'], ['token-mismatch', 'InvalidClientTokenId'], ['unknown', 'InvalidClientTokenId']] as const) {
      expect(code(() => resolveCredentials(sources(false, { kind }), 'ASIAEXAMPLE', 't', 0, STYLE))).toBe(expected);
      await expect(resolveCredentials(sources(true, { kind }), 'ASIAEXAMPLE', 't', 0, STYLE)).rejects.toMatchObject({ code: expected });
    }
    expect(code(() => resolveCredentials(sources(false, { kind: 'unknown' }), 'AKIAUNKNOWN', undefined, 0, STYLE))).toBe('InvalidClientTokenId');
    expect(code(() => resolveCredentials(sources(false, { kind: 'unknown' }), KEY.accessKeyId, 'a-token-with-a-user-key', 0, STYLE))).toBe('InvalidClientTokenId');
    await expect(resolveCredentials(sources(true, { kind: 'unknown' }), 'AKIAUNKNOWN', undefined, 0, STYLE)).rejects.toBeInstanceOf(AwsError);
  });
});
