import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../core/principal.js';
import { accountOfSessionKey, sessionAccessKeyId } from './session-key-id.js';
import { createSessionSealer } from './session-token.js';

const keyId = sessionAccessKeyId('444444444444');
const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const session: Principal = {
  type: 'AssumedRole',
  accountId: '444444444444',
  arn: 'arn:aws:sts::444444444444:assumed-role/DataScientist/alice',
  userId: 'AROAEXAMPLEEXAMPLE123:alice',
  accessKeyId: keyId,
  name: 'DataScientist',
  roleArn: 'arn:aws:iam::444444444444:role/DataScientist',
  roleId: 'AROAEXAMPLEEXAMPLE123',
  sessionName: 'alice',
  sessionIssuer: { arn: 'arn:aws:iam::444444444444:role/DataScientist', accountId: '444444444444', userName: 'DataScientist', principalId: 'AROAEXAMPLEEXAMPLE123', type: 'Role' },
  sessionPolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
  sessionPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  sessionTags: [
    { key: 'team', value: 'ml', transitive: true },
    { key: 'cost-center', value: '42', transitive: false },
  ],
  sourceIdentity: 'alice@example.com',
  sessionIssuedAt: 1_790_000_000_000,
  sessionExpiresAt: 1_790_003_600_000,
  chained: false,
};

describe('self-contained session tokens', () => {
  const sealer = createSessionSealer('blueprint-a');

  it('carries the whole session and opens to the same principal', () => {
    const token = sealer.seal(session, secret);
    expect(sealer.open(keyId, token)).toEqual({ principal: session, secretAccessKey: secret });
    // AWS's are ~800–1000 characters; a session with a policy, two tags and a source identity stays in that range.
    expect(token.length).toBeLessThan(1100);
  });

  it('opens under the same seed in another process, never under another seed or with another key id', () => {
    const token = sealer.seal(session, secret);
    expect(createSessionSealer('blueprint-a').open(keyId, token)?.principal).toEqual(session);
    expect(createSessionSealer('blueprint-b').open(keyId, token)).toBeUndefined();
    expect(sealer.open(sessionAccessKeyId('444444444444'), token)).toBeUndefined();
  });

  it('refuses a token with any byte changed', () => {
    const token = sealer.seal(session, secret);
    const raw = Buffer.from(token.slice('IQoJmlzone'.length), 'base64');
    for (let i = 0; i < raw.length; i++) {
      const bad = Buffer.from(raw);
      bad[i] = bad[i]! ^ 0x01;
      expect(sealer.open(keyId, 'IQoJmlzone' + bad.toString('base64'))).toBeUndefined();
    }
    expect(sealer.open(keyId, 'IQoJmlzone')).toBeUndefined();
    expect(sealer.open(keyId, 'not a token')).toBeUndefined();
  });

  it('temporary key ids name their account (GetAccessKeyInfo)', () => {
    expect(keyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(accountOfSessionKey(keyId)).toBe('444444444444');
    expect(accountOfSessionKey(sessionAccessKeyId('000000000001'))).toBe('000000000001');
    expect(accountOfSessionKey('AKIAXFEF5XS35DJLOYMK')).toBeUndefined();
  });
});
