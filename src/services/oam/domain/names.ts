/**
 * OAM resource names: `arn:aws:oam:<region>:<account>:sink/<uuid>` and `…:link/<uuid>`. API identifiers are ARNs;
 * a bare id is read as the caller's own resource in the request's region.
 */
import { createHash } from 'node:crypto';

export type OamKind = 'sink' | 'link';

export interface OamName {
  readonly kind: OamKind;
  readonly accountId: string;
  readonly region: string;
  readonly id: string;
  readonly arn: string;
}

const ARN = /^arn:aws:oam:([a-z0-9-]+):(\d{12}):(sink|link)\/([A-Za-z0-9_.-]+)$/;
/** What can follow `sink/` or `link/` (mlzone's ids are UUIDs; others simply name nothing). */
const ID = /^[A-Za-z0-9_.-]+$/;

export function oamArn(kind: OamKind, region: string, accountId: string, id: string): string {
  return `arn:aws:oam:${region}:${accountId}:${kind}/${id}`;
}

export function parseOamArn(arn: string): OamName | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  return { region: m[1]!, accountId: m[2]!, kind: m[3] as OamKind, id: m[4]!, arn };
}

/** An identifier as the API takes it (ARN, or the caller's own id); undefined when it cannot name a `kind`. */
export function resolveIdentifier(identifier: string, kind: OamKind, caller: { readonly accountId: string; readonly region: string }): OamName | undefined {
  if (identifier.startsWith('arn:')) {
    const n = parseOamArn(identifier);
    return n?.kind === kind ? n : undefined;
  }
  if (!ID.test(identifier)) return undefined;
  return { kind, accountId: caller.accountId, region: caller.region, id: identifier, arn: oamArn(kind, caller.region, caller.accountId, identifier) };
}

/**
 * A stable id for a resource the blueprint seeds (same blueprint → same ARNs across starts and machines), shaped
 * like the random UUIDs the API gives.
 */
export function seededId(...parts: readonly string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
