import type { Principal } from './principal.js';

/**
 * What a handler receives besides its typed input. Built by the gateway for every request (and by the
 * internal client for in-process calls); handlers never see HTTP.
 */
export interface RequestContext {
  readonly requestId: string;
  /** Service key as routed (`sts`, `iam`, `s3`, …) and the model's operation name (`AssumeRole`). */
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  /** The caller. In `off` auth mode this is the default account's root. */
  readonly principal: Principal;
  /** The account the call acts in by default (the caller's account). */
  readonly accountId: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** Milliseconds since epoch, taken once per request. */
  readonly now: number;
  readonly secureTransport: boolean;
  /** Set for internal calls made on behalf of a service (`aws:SourceArn`, `aws:CalledVia`, …). */
  readonly via?: { readonly sourceArn?: string; readonly sourceAccount?: string; readonly calledVia?: readonly string[] };
}
