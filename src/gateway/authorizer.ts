import type { RequestContext } from '../core/context.js';
import type { AwsError } from '../core/errors.js';
import type { AuthzRequest } from '../core/service.js';

/**
 * The enforcement port the chain calls after parsing and before the handler. `app/` wires the IAM engine
 * into it. It returns what it decided (kept for `explain`); a refusal carries the AwsError to answer with.
 */
export interface Authorizer {
  /** May answer synchronously when it has nothing to look up: the chain awaits only a promise. */
  authorize(ctx: RequestContext, requests: readonly AuthzRequest[], style: 'query' | 'json' | 'rest-json' | 'rest-xml'): AuthorizationRecord | undefined | Promise<AuthorizationRecord | undefined>;
}

/** What the authorizer decided, kept per request id for `mlzone explain`. */
export interface AuthorizationRecord {
  readonly decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  readonly details: unknown;
  /** Set when the call is refused: the AccessDenied error the client gets. */
  readonly error?: AwsError;
}

/** Lets every authenticated call through: `--auth accounts` and `--auth off`. */
export const allowAll: Authorizer = { authorize: () => undefined };
