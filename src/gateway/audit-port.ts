import type { RequestContext } from '../core/context.js';
import type { AwsError } from '../core/errors.js';

/** One finished call, handed to the audit trail (CloudTrail-style events are built from it). */
export interface CallRecord {
  readonly ctx: RequestContext;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: AwsError;
  readonly resourceAccounts: readonly string[];
}

export interface AuditSink {
  record(call: CallRecord): void;
}
