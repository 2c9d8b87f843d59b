/**
 * What the gateway decides from a request's head (method, path, query, headers) before it reads a byte of the
 * body, and how it answers when it will not take the body.
 *
 *   claims a signature (SigV4 header, presign parameters)  → buffer up to 64 MiB; the signature is checked after;
 *     and announces more body than an unsigned request       → first vouched for from the head (`vouch`): unknown
 *     may send (over 2 MiB, or chunked)                        service / operation, or credentials failing what
 *                                                              needs no body (key, session token, scope, skew, and
 *                                                              the signature unless it covers the body's own hash)
 *                                                              → refused at once, with the error the chain gives
 *   no credentials, operation known from the head          → refused at once (MissingAuthenticationToken, S3's
 *     (JSON target, REST path) and not anonymous              AccessDenied, or the malformed-auth error it earned)
 *   no credentials otherwise (a query form names its
 *     action in the body; anonymous operations)            → buffer at most 2 MiB, enough for any anonymous call
 *
 * A refusal is serialized by the codec of the service the head names, or in the shape the head implies. The
 * signed path costs a prefix comparison and a look at the query's names here.
 */
import { AwsError, toAwsError } from '../core/errors.js';
import type { MaybePromise } from '../core/maybe-promise.js';
import { ids } from '../core/ids.js';
import type { WireRequest, WireResponse } from '../core/wire.js';
import { readClaim } from '../auth/sigv4.js';
import { authError, flavorOf } from '../auth/sigv4-errors.js';
import type { OperationModel } from '../spec/model.js';
import type { Authenticator, AuthMode } from './authenticate.js';
import { errorWithoutService, hasStreamingPayload, isAnonymousOperation, mayBeDecompressed, pathStyle, speaking, unknownOperation } from './pipeline.js';
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
  /**
   * For a signed head announcing a body larger than an unsigned request may send (`mayBeLarge`): the answer the
   * chain would give it whatever its body — an unknown service or operation, or credentials that fail a check
   * needing no body (see `Authenticator.checkHead`) — or undefined to read the body.
   */
  vouch?(head: WireRequest): MaybePromise<WireResponse | undefined>;
}

/**
 * A body the gate vouches for before reading: one over what an unsigned request may send (declared, or of unknown
 * length). Smaller ones are read as before and authenticated whole, so checking their heads twice would be cost
 * without gain.
 */
export function mayBeLarge(head: WireRequest, admission: Admission): boolean {
  if (admission.kind !== 'read' || admission.limit <= MAX_UNAUTHENTICATED_BODY) return false;
  if (head.headers['transfer-encoding'] !== undefined) return true;
  const length = head.headers['content-length'];
  return length !== undefined && !(Number(length) <= MAX_UNAUTHENTICATED_BODY);
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

export function createGate(deps: { services: ServiceRegistry; mode: AuthMode; authenticator?: Authenticator; now?: () => number }): Gate {
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

    vouch(head) {
      const { authenticator } = deps;
      if (!strict || authenticator === undefined) return undefined;
      const requestId = ids.requestId();
      const r = route(head, deps.services.routing);
      const registered = r.kind === 'service' ? deps.services.get(r.service) : undefined;
      // What the chain answers these whatever the body (pipeline.ts), before authentication.
      if (!registered) return errorWithoutService(head, new AwsError('UnknownService', r.kind === 'unknown' ? r.reason : 'unknown service', { status: 400 }), requestId);
      const virtualBucket = r.kind === 'service' ? r.virtualBucket : undefined;
      const svc = speaking(registered, head);
      let op: OperationModel | undefined;
      // A query form names its operation in the body; a compressed body may be refused as such first.
      if (svc.codec.protocol !== 'query' && !mayBeDecompressed(head, svc)) {
        try {
          op = svc.codec.resolveOperation(pathStyle(head, virtualBucket), svc.model);
        } catch (e) {
          return svc.codec.serializeError(svc.model, undefined, toAwsError(e), requestId);
        }
        if (!op) return svc.codec.serializeError(svc.model, undefined, unknownOperation(svc), requestId);
      }
      const opts = { service: svc.definition.name, style: svc.style, now: (deps.now ?? Date.now)(), anonymous: op !== undefined && isAnonymousOperation(svc, op), ...(virtualBucket === undefined ? {} : { virtualBucket }) };
      const refused = (e: unknown) => svc.codec.serializeError(svc.model, op, toAwsError(e), requestId);
      try {
        const checked = authenticator.checkHead(head, opts);
        return checked instanceof Promise ? checked.then(() => undefined, refused) : undefined;
      } catch (e) {
        return refused(e);
      }
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
