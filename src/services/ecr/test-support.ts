/**
 * Test helpers for the ECR service: a fresh in-memory SQLite database with the ECR schema, a fake
 * RequestContext, typed handler and authz calls, and manifests. Not imported by production code.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import { AwsError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { AuthzRequest } from '../../core/service.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete backend; in production only app/ picks one
import { openSqlite } from '../../persistence/sqlite/index.js';
import type { EcrOperations } from './api.gen.js';
import { MediaTypes } from './domain/manifest.js';
import { createEcrService, type EcrDeps, type EcrService } from './index.js';

export const SHARED = '222222222222';
export const PROD = '777777777777';
export const REGION = 'us-east-1';
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

export function rootPrincipal(accountId = SHARED): Principal {
  return { type: 'Root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId };
}

export function ctxFor(accountId = SHARED, now = T0, operation = 'Test', region = REGION): RequestContext {
  return {
    requestId: 'req-1',
    service: 'ecr',
    operation,
    region,
    principal: rootPrincipal(accountId),
    accountId,
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
    now,
    secureTransport: false,
  };
}

/** A Docker v2 schema 2 manifest with layers of the given sizes; `salt` makes distinct images. */
export function dockerManifest(layerSizes: number[] = [100, 250], salt = ''): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.dockerManifest,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7, digest: `sha256:${'c'.repeat(64)}` },
    layers: layerSizes.map((size, i) => ({
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      size,
      digest: `sha256:${createHash('sha256').update(`${salt}/${i}`).digest('hex')}`,
    })),
  });
}

export interface Harness {
  readonly db: Database;
  readonly ecr: EcrService;
  readonly clock: ReturnType<typeof fixedClock>;
  /** Calls a handler in `accountId`'s context (default: shared-services). */
  call<K extends keyof EcrOperations>(op: K, input: EcrOperations[K]['input'], accountId?: string): Promise<EcrOperations[K]['output']>;
  authz<K extends keyof EcrOperations>(op: K, input: EcrOperations[K]['input'], accountId?: string): Promise<AuthzRequest[]>;
  close(): Promise<void>;
}

export async function harness(overrides: Partial<EcrDeps> = {}): Promise<Harness> {
  const db = openSqlite({ file: ':memory:' });
  const clock = fixedClock(T0);
  const ecr = createEcrService({ db, clock, defaultRegion: REGION, validatePolicy: () => undefined, ...overrides });
  await runMigrations(db, ecr.migrations);
  return {
    db,
    ecr,
    clock,
    call: async (op, input, accountId) => {
      const handler = ecr.definition.handlers[op];
      if (!handler) throw new Error(`no handler for ${op}`);
      return handler(input, ctxFor(accountId, clock.now(), op));
    },
    authz: async (op, input, accountId) => {
      const fn = ecr.definition.authz?.[op];
      if (!fn) throw new Error(`no authz for ${op}`);
      return fn(input, ctxFor(accountId, clock.now(), op));
    },
    close: () => db.close(),
  };
}

/** Awaits `p` and checks it failed with an AwsError of that code (and message when given). */
export async function expectAwsError(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<AwsError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(AwsError);
  const err = caught as AwsError;
  expect(err.code).toBe(code);
  if (typeof message === 'string') expect(err.message).toBe(message);
  else if (message) expect(err.message).toMatch(message);
  return err;
}
