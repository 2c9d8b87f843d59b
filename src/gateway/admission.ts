/**
 * What the gateway decides from a request's head (method, path, query, headers) before it reads a byte of the
 * body, and how it answers when it will not take the body.
 *
 *   claims a signature (SigV4 header, presign parameters)  → buffer up to 64 MiB; the signature is checked after
 *   no credentials, operation known from the head          → refused at once (MissingAuthenticationToken, S3's
 *     (JSON target, REST path) and not anonymous              AccessDenied, or the malformed-auth error it earned)
 *   no credentials otherwise (a query form names its
 *     action in the body; anonymous operations)            → buffer at most 2 MiB, enough for any anonymous call
 *
 * A refusal is serialized by the codec of the service the head names, or in the shape the head implies. The
 * signed path costs a prefix comparison and a look at the query's names here.
 */
import { AwsError } from '../core/errors.js';
import { ids } from '../core/ids.js';
import type { WireRequest, WireResponse } from '../core/wire.js';
import { readClaim } from '../auth/sigv4.js';
import { authError, flavorOf } from '../auth/sigv4-errors.js';
import type { OperationModel } from '../spec/model.js';
import type { AuthMode } from './authenticate.js';
import { errorWithoutService, hasStreamingPayload, isAnonymousOperation, pathStyle, speaking } from './pipeline.js';
import { MAX_BUFFERED_BODY, MAX_STREAMED_BODY, MAX_UNAUTHENTICATED_BODY } from './body-limits.js';
import { claimsSignature, route } from './route.js';
import type { RegisteredService, ServiceRegistry } from './service-registry.js';

/** Why the server will not take a request's body. */
export type Refusal = 'unauthenticated' | 'too-large' | 'timeout';

export type Admission =
  | {
      readonly kind: 'read';
      /** Bytes of body the server may buffer. */
      readonly limit: number;
      /** What a body over `limit` is refused as. */
      readonly overflow: 'unauthenticated' | 'too-large';
    }
  | { readonly kind: 'refuse'; readonly response: WireResponse };

/** The server's questions to the gateway before and while it reads a body. */
export interface Gate {
  admit(head: WireRequest): Admission;
  /** The answer to a request whose body is refused (`head` has no body), in its protocol's shape. */
  refusal(head: WireRequest, why: Refusal, declaredLength?: number): WireResponse;
}


const SIGNED: Admission = { kind: 'read', limit: MAX_BUFFERED_BODY, overflow: 'too-large' };
const UNSIGNED: Admission = { kind: 'read', limit: MAX_UNAUTHENTICATED_BODY, overflow: 'unauthenticated' };
const ADMIN: Admission = { kind: 'read', limit: MAX_UNAUTHENTICATED_BODY, overflow: 'too-large' };

const S3_TIMEOUT = 'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.';

/** The error a refused body earns, per protocol: S3's codes where it has them, HTTP's statuses elsewhere. */
export function refusalError(why: Refusal, s3: boolean, op: OperationModel | undefined, declaredLength?: number): AwsError {
  if (why === 'timeout') return new AwsError('RequestTimeout', S3_TIMEOUT, { status: s3 ? 400 : 408 });
  if (!s3) return new AwsError('RequestEntityTooLarge', `The request body exceeds the maximum size this endpoint accepts (${MAX_BUFFERED_BODY} bytes).`, { status: 413 });
  if (op && hasStreamingPayload(op)) {
    return new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
      status: 400,
      fields: { ...(declaredLength === undefined ? {} : { ProposedSize: declaredLength }), MaxSizeAllowed: MAX_STREAMED_BODY },
    });
  }
  return new AwsError('MaxMessageLengthExceeded', 'Your request was too big.', { status: 400 });
}

/** The wire shape a head implies when no service claims it: JSON, a query form, or XML (S3's). */
function headFlavor(head: WireRequest): { style: 'json' | 'query' | 'rest-xml'; s3: boolean } {
  if (head.headers['x-amz-target'] || (head.headers['content-type'] ?? '').includes('json')) return { style: 'json', s3: false };
  if ((head.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return { style: 'query', s3: false };
  return { style: 'rest-xml', s3: true };
}

export function createGate(deps: { services: ServiceRegistry; mode: AuthMode }): Gate {
  const strict = deps.mode === 'strict';

  function serviceOf(head: WireRequest): { svc: RegisteredService; op?: OperationModel } | undefined {
    const r = route(head, deps.services.routing);
    const registered = r.kind === 'service' ? deps.services.get(r.service) : undefined;
    if (!registered) return undefined;
    const svc = speaking(registered, head);
    // A query request names its action in the body, which is not read yet.
    if (svc.codec.protocol === 'query') return { svc };
    try {
      const op = svc.codec.resolveOperation(pathStyle(head, r.kind === 'service' ? r.virtualBucket : undefined), svc.model);
      return op ? { svc, op } : { svc };
    } catch {
      return { svc };
    }
  }

  /** What authentication would answer a head without usable credentials: its malformed-auth error, else missing auth. */
  function authFailure(head: WireRequest, flavor: { style: RegisteredService['style']; s3: boolean }): AwsError {
    try {
      readClaim(head, flavor);
    } catch (e) {
      if (e instanceof AwsError) return e;
    }
    return authError('missingAuthentication', flavorOf(flavor), {});
  }

  function answer(head: WireRequest, found: ReturnType<typeof serviceOf>, err: AwsError): WireResponse {
    const requestId = ids.requestId();
    return found ? found.svc.codec.serializeError(found.svc.model, found.op, err, requestId) : errorWithoutService(head, err, requestId);
  }

  return {
    admit(head) {
      if (!strict || claimsSignature(head)) return SIGNED;
      if (head.rawPath.startsWith('/_mlzone/')) return ADMIN;
      const found = serviceOf(head);
      if (found?.op && !isAnonymousOperation(found.svc, found.op)) {
        const flavor = { style: found.svc.style, s3: found.svc.definition.name === 's3' };
        return { kind: 'refuse', response: answer(head, found, authFailure(head, flavor)) };
      }
      return UNSIGNED;
    },

    refusal(head, why, declaredLength) {
      const found = serviceOf(head);
      const flavor = found ? { style: found.svc.style, s3: found.svc.definition.name === 's3' } : headFlavor(head);
      const err = why === 'unauthenticated' ? authFailure(head, flavor) : refusalError(why, flavor.s3, found?.op, declaredLength);
      return answer(head, found, err);
    },
  };
}

export { MAX_BUFFERED_BODY, MAX_STREAMED_BODY, MAX_UNAUTHENTICATED_BODY };
