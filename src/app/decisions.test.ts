import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../core/context.js';
import type { AuthorizationRecord } from '../gateway/authorizer.js';
import { createDecisionLog } from './decisions.js';

const ctx = (requestId: string): RequestContext => ({
  requestId,
  service: 'iam',
  operation: 'GetRole',
  region: 'us-east-1',
  principal: { type: 'IAMUser', accountId: '444444444444', arn: 'arn:aws:iam::444444444444:user/u', userId: 'AIDA1', name: 'u' },
  accountId: '444444444444',
  sourceIp: '127.0.0.1',
  userAgent: '',
  now: Date.UTC(2026, 10, 29, 12),
  secureTransport: false,
});
const allow: AuthorizationRecord = { decision: 'Allow', details: [] };
const deny: AuthorizationRecord = { decision: 'ImplicitDeny', details: [] };

describe('decision log', () => {
  it('keeps the newest allowed decisions up to their limit and denials up to theirs', () => {
    const log = createDecisionLog(5, 3);
    for (let i = 0; i < 7; i++) log.keep(`a${i}`, ctx(`a${i}`), allow);
    for (let i = 0; i < 7; i++) log.keep(`d${i}`, ctx(`d${i}`), deny);
    expect(['a0', 'a3', 'a4', 'a5', 'a6'].map((id) => log.get(id)?.requestId)).toEqual([undefined, undefined, 'a4', 'a5', 'a6']);
    expect(['d1', 'd2', 'd6'].map((id) => log.get(id)?.requestId)).toEqual([undefined, 'd2', 'd6']);
    expect(log.get('nope')).toBeUndefined();
  });

  it('answers with what was decided last for a request id, and reads the request context lazily', () => {
    const log = createDecisionLog(5, 3);
    log.keep('r', ctx('r'), deny);
    log.keep('r', ctx('r'), allow);
    expect(log.get('r')?.decision).toBe('Allow');
    log.keep('r', ctx('r'), deny);
    const kept = log.get('r')!;
    expect([kept.decision, kept.service, kept.operation, kept.principal, kept.time]).toEqual([
      'ImplicitDeny',
      'iam',
      'GetRole',
      'arn:aws:iam::444444444444:user/u',
      '2026-11-29T12:00:00.000Z',
    ]);
  });

  it('keeps nothing allowed when its limit is 0', () => {
    const log = createDecisionLog(5, 0);
    log.keep('a', ctx('a'), allow);
    expect(log.get('a')).toBeUndefined();
  });
});
