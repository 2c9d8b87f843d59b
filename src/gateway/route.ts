/**
 * Which service a request is for, per reference/protocols.md §1: an `X-Amz-Target` header names a JSON
 * service by its target prefix; a form body with `Action=` is a query service named by the credential
 * scope (or, unsigned, by its `Version`); anything else is REST, named by the credential scope or the host.
 */
import type { WireRequest } from '../core/wire.js';
import { queryParam } from '../core/wire.js';

export interface RoutingTable {
  /** targetPrefix (`AWSOrganizationsV20161128`) → service name. */
  readonly byTargetPrefix: ReadonlyMap<string, string>;
  /** signing name from the credential scope (`sts`, `iam`, `s3`) → service names sharing it. */
  readonly bySigningName: ReadonlyMap<string, readonly string[]>;
  /** query API version (`2011-06-15`) → service name, for unsigned query requests. */
  readonly byQueryVersion: ReadonlyMap<string, string>;
}

export type Route = { readonly kind: 'service'; readonly service: string } | { readonly kind: 'unknown'; readonly reason: string };

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

export function signingNameOf(req: WireRequest): string | undefined {
  const auth = req.headers['authorization'];
  if (auth) return SCOPE.exec(auth)?.[1];
  const cred = queryParam(req, 'X-Amz-Credential');
  if (cred) return cred.split('/')[3];
  return undefined;
}

function isForm(req: WireRequest): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

function formParam(body: Buffer, name: string): string | undefined {
  const text = body.toString('latin1');
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === name) return decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
  }
  return undefined;
}

export function route(req: WireRequest, table: RoutingTable): Route {
  const target = req.headers['x-amz-target'];
  if (target) {
    const dot = target.lastIndexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    // botocore spells CloudTrail's prefix fully qualified: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101
    const svc = table.byTargetPrefix.get(prefix) ?? table.byTargetPrefix.get(prefix.slice(prefix.lastIndexOf('.') + 1));
    return svc ? { kind: 'service', service: svc } : { kind: 'unknown', reason: `unknown target prefix ${prefix}` };
  }
  const signing = signingNameOf(req);
  const action = isForm(req) ? formParam(req.body, 'Action') : queryParam(req, 'Action');
  if (action !== undefined) {
    const candidates = signing ? table.bySigningName.get(signing) : undefined;
    if (candidates?.length) return { kind: 'service', service: candidates[0]! };
    const version = isForm(req) ? formParam(req.body, 'Version') : queryParam(req, 'Version');
    const svc = version ? table.byQueryVersion.get(version) : undefined;
    return svc ? { kind: 'service', service: svc } : { kind: 'unknown', reason: 'cannot tell the service of this query request' };
  }
  if (signing) {
    const candidates = table.bySigningName.get(signing);
    if (candidates?.length) return { kind: 'service', service: candidates[0]! };
    return { kind: 'unknown', reason: `service ${signing} is not served by mlzone` };
  }
  return { kind: 'unknown', reason: 'cannot tell the service of this request' };
}
