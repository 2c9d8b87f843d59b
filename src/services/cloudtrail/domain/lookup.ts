/**
 * LookupEvents input rules, independent of storage: one lookup attribute at most, a sane time range, a page
 * size of 1–50 (default 50), the 90-day window of event history, and an opaque keyset `NextToken` that is
 * only valid with the parameters it was issued for.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
import { createHash } from 'node:crypto';
import { CloudTrailErrors } from '../api.gen.js';
import type { LookupEventsRequest } from '../api.gen.js';

export const DEFAULT_MAX_RESULTS = 50;
/** Event history covers the last 90 days. */
export const HISTORY_MS = 90 * 24 * 60 * 60 * 1000;

export type LookupKey = 'EventId' | 'EventName' | 'ReadOnly' | 'Username' | 'ResourceType' | 'ResourceName' | 'EventSource' | 'AccessKeyId';
const KEYS: readonly LookupKey[] = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'];

/** Position after the last event of a page, in the order events are listed (newest first). */
export interface Cursor {
  readonly time: number;
  readonly seq: number;
  readonly eventId: string;
}

/** A validated lookup, ready for the store. */
export interface LookupQuery {
  readonly accountId: string;
  readonly attribute?: { readonly key: LookupKey; readonly value: string };
  /** Inclusive bounds, epoch milliseconds. */
  readonly startTime: number;
  readonly endTime: number;
  readonly limit: number;
  readonly after?: Cursor;
  /** Insight events were asked for: mlzone records none. */
  readonly insight: boolean;
  /** Binds a NextToken to the parameters it was issued for. */
  readonly fingerprint: string;
}

function fingerprintOf(input: LookupEventsRequest): string {
  const a = input.LookupAttributes?.[0];
  const parts = [a?.AttributeKey ?? '', a?.AttributeValue ?? '', input.StartTime?.getTime() ?? '', input.EndTime?.getTime() ?? '', input.EventCategory ?? ''];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodeToken(cursor: Cursor, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ t: cursor.time, s: cursor.seq, e: cursor.eventId, f: fingerprint })).toString('base64url');
}

function invalidToken(): Error {
  return CloudTrailErrors.InvalidNextTokenException('Invalid NextToken. Pass the NextToken from a previous LookupEvents response, with the same parameters.');
}

export function decodeToken(token: string, fingerprint: string): Cursor {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  const o = v as { t?: unknown; s?: unknown; e?: unknown; f?: unknown } | null;
  if (!o || typeof o.t !== 'number' || typeof o.s !== 'number' || typeof o.e !== 'string' || o.f !== fingerprint) throw invalidToken();
  return { time: o.t, seq: o.s, eventId: o.e };
}

/** Validates a LookupEvents request for the caller's account, as of `now`. Throws CloudTrail's errors. */
export function parseLookup(input: LookupEventsRequest, accountId: string, now: number): LookupQuery {
  const attrs = input.LookupAttributes ?? [];
  if (attrs.length > 1) {
    throw CloudTrailErrors.InvalidLookupAttributesException('You can specify only one lookup attribute.');
  }
  let attribute: LookupQuery['attribute'];
  const a = attrs[0];
  if (a) {
    if (!KEYS.includes(a.AttributeKey as LookupKey)) {
      throw CloudTrailErrors.InvalidLookupAttributesException(`Invalid lookup attribute key: ${a.AttributeKey}`);
    }
    const key = a.AttributeKey as LookupKey;
    if (key === 'ReadOnly' && a.AttributeValue !== 'true' && a.AttributeValue !== 'false') {
      throw CloudTrailErrors.InvalidLookupAttributesException('The value of the ReadOnly lookup attribute must be true or false.');
    }
    attribute = { key, value: a.AttributeValue };
  }
  const floor = now - HISTORY_MS;
  const startTime = Math.max(input.StartTime?.getTime() ?? floor, floor);
  const endTime = input.EndTime?.getTime() ?? Number.MAX_SAFE_INTEGER;
  if (input.StartTime && input.EndTime && input.StartTime.getTime() > input.EndTime.getTime()) {
    throw CloudTrailErrors.InvalidTimeRangeException('Start time must be before end time.');
  }
  const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
    throw CloudTrailErrors.InvalidMaxResultsException('Maximum results must be between 1 and 50.');
  }
  const fingerprint = fingerprintOf(input);
  const after = input.NextToken !== undefined ? decodeToken(input.NextToken, fingerprint) : undefined;
  return { accountId, ...(attribute ? { attribute } : {}), startTime, endTime, limit, ...(after ? { after } : {}), insight: input.EventCategory === 'insight', fingerprint };
}
