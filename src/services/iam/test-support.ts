/**
 * Test helpers for the IAM service: a fresh in-memory SQLite database per test with the IAM schema, a
 * fake RequestContext, and typed handler calls. Not imported by production code.
 */
import { expect } from 'vitest';
import type { RequestContext } from '../../core/context.js';
import { AwsError } from '../../core/errors.js';
import { fixedClock } from '../../core/clock.js';
import type { Principal } from '../../core/principal.js';
import { runMigrations } from '../../persistence/migrate.js';
import type { Database } from '../../persistence/db.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete backend; in production only app/ picks one
import { openSqlite } from '../../persistence/sqlite/index.js';
import type { IamOperations } from './api.gen.js';
import { createIamService } from './index.js';
import type { IamService, SimulatorOrganizations } from './index.js';

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

export function rootPrincipal(accountId = ACCOUNT): Principal {
  return { type: 'Root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId };
}

export function userPrincipal(name: string, accountId = ACCOUNT): Principal {
  return { type: 'IAMUser', accountId, arn: `arn:aws:iam::${accountId}:user/${name}`, userId: 'AIDAEXAMPLE', name };
}

export function rolePrincipal(role: string, session: string, accountId = ACCOUNT): Principal {
  return {
    type: 'AssumedRole',
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${role}/${session}`,
    userId: `AROAEXAMPLE:${session}`,
    name: role,
    roleArn: `arn:aws:iam::${accountId}:role/${role}`,
    sessionName: session,
  };
}

export function ctxFor(principal: Principal = rootPrincipal(), now = T0, operation = 'Test'): RequestContext {
  return {
    requestId: 'req-1',
    service: 'iam',
    operation,
    region: 'us-east-1',
    principal,
    accountId: principal.accountId,
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
    now,
    secureTransport: false,
  };
}

export interface Harness {
  readonly db: Database;
  readonly iam: IamService;
  readonly clock: ReturnType<typeof fixedClock>;
  /** Calls a handler as `principal` (default: the root of ACCOUNT). */
  call<K extends keyof IamOperations>(op: K, input: IamOperations[K]['input'], principal?: Principal): Promise<IamOperations[K]['output']>;
  close(): Promise<void>;
}

export async function harness(options: { organizations?: SimulatorOrganizations } = {}): Promise<Harness> {
  const db = openSqlite({ file: ':memory:' });
  const clock = fixedClock(T0);
  const iam = createIamService({ db, clock, ...(options.organizations ? { organizations: options.organizations } : {}) });
  await runMigrations(db, iam.migrations);
  return {
    db,
    iam,
    clock,
    call: async (op, input, principal) => {
      const handler = iam.definition.handlers[op];
      if (!handler) throw new Error(`no handler for ${op}`);
      return handler(input, ctxFor(principal, clock.now(), op));
    },
    close: () => db.close(),
  };
}

/** Awaits `p` and checks it failed with an AwsError of that code (and status / message when given). */
export async function expectAwsError(p: Promise<unknown>, code: string, expected: { status?: number; message?: string | RegExp } = {}): Promise<AwsError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(AwsError);
  const err = caught as AwsError;
  expect(err.code).toBe(code);
  if (expected.status !== undefined) expect(err.status).toBe(expected.status);
  if (typeof expected.message === 'string') expect(err.message).toBe(expected.message);
  else if (expected.message) expect(err.message).toMatch(expected.message);
  return err;
}

export const TRUST_EC2 = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export const ALLOW_S3_READ = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }],
});

export function allowDoc(action: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
}
