import type { RequestContext } from './context.js';
import { arnAccountId } from './arn.js';

/**
 * What a service plugs into the gateway: its model name, a handler per implemented operation and, per
 * operation, the IAM requests the call needs. An operation with no handler answers AWS's not-implemented
 * shape; the coverage table is derived from these objects.
 */
export type Handler<I = any, O = any> = (input: I, ctx: RequestContext) => Promise<O> | O;

/** A map from operation name to `{input, output}` types, as emitted by codegen in `api.gen.ts`. */
export type OperationTypes = Record<string, { input: unknown; output: unknown }>;

export type Handlers<Ops extends OperationTypes> = {
  [K in keyof Ops]?: Handler<Ops[K]['input'], Ops[K]['output']>;
};

/** One authorization request an operation makes: the action, the resource ARN and condition keys its input fills. */
export interface AuthzRequest {
  readonly action: string;
  readonly resource: string;
  /** Keys such as `aws:RequestTag/team`, `aws:TagKeys`, `sts:ExternalId`; values are strings or string lists. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** Account that owns the resource, when it differs from the ARN (e.g. S3 buckets have no account in the ARN). */
  readonly resourceAccount?: string;
}

/**
 * The account that owns a declared request's resource: the declared one, else the ARN's account field when it is an
 * account id; undefined when neither says (S3 bucket ARNs, `*`). The authorizer and the audit recipients both ask.
 */
export function resourceOwnerOf(req: AuthzRequest): string | undefined {
  if (req.resourceAccount !== undefined) return req.resourceAccount;
  const account = arnAccountId(req.resource);
  return account !== undefined && ACCOUNT_ID.test(account) ? account : undefined;
}
const ACCOUNT_ID = /^\d{12}$/;

export type AuthzFn<I = any> = (input: I, ctx: RequestContext) => AuthzRequest[] | Promise<AuthzRequest[]>;

export interface ServiceDefinition {
  /** Routing key and model directory name under `specs/` (`sts`, `iam`, `organizations`, …). */
  readonly name: string;
  readonly handlers: Readonly<Record<string, Handler>>;
  /** Per operation: what IAM must allow. Required for every implemented operation (a test checks it). */
  readonly authz?: Readonly<Record<string, AuthzFn>>;
  /** Operations callable without a signature (e.g. none for now; S3 anonymous access later). */
  readonly anonymous?: readonly string[];
}
