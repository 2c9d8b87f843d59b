/**
 * PutLogEvents' batch rules, as CloudWatch Logs documents them. A batch that breaks a rule is refused whole
 * (InvalidParameterException, nothing written); events outside the accepted time window are not an error:
 * they are left out and reported in `rejectedLogEventsInfo` while the others are written. Because the batch
 * is in chronological order, too-old and expired events form a prefix and too-new ones a suffix.
 */
import { DAY_MS, invalidParameter } from './names.js';

export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_EVENT_BYTES = 262_144;
/** What each event costs on top of its UTF-8 message when counting a batch's size. */
export const EVENT_OVERHEAD_BYTES = 26;
const MAX_SPAN_MS = DAY_MS;
const MAX_AGE_MS = 14 * DAY_MS;
const MAX_AHEAD_MS = 2 * 3_600_000;

export interface InputEvent {
  readonly timestamp: number;
  readonly message: string;
}

export interface RejectedInfo {
  tooOldLogEventEndIndex?: number;
  tooNewLogEventStartIndex?: number;
  expiredLogEventEndIndex?: number;
}

export interface CheckedBatch {
  /** The events to write (the accepted window of the batch, in order). */
  readonly accepted: readonly InputEvent[];
  readonly rejected?: RejectedInfo;
}

/** Applies the rules; throws AWS's InvalidParameterException when the batch is refused as a whole. */
export function checkBatch(events: readonly InputEvent[], now: number, retentionDays: number | undefined): CheckedBatch {
  if (events.length === 0) throw invalidParameter('1 validation error detected: Value at \'logEvents\' failed to satisfy constraint: Member must have length greater than or equal to 1');
  if (events.length > MAX_BATCH_EVENTS) throw invalidParameter(`The number of log events in the batch exceeds the limit of ${MAX_BATCH_EVENTS}.`);
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const size = Buffer.byteLength(e.message, 'utf8') + EVENT_OVERHEAD_BYTES;
    if (size > MAX_EVENT_BYTES) throw invalidParameter(`Log event too large: ${size} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
    bytes += size;
    if (i > 0 && e.timestamp < events[i - 1]!.timestamp) throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
  }
  if (bytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  if (events[events.length - 1]!.timestamp - events[0]!.timestamp > MAX_SPAN_MS)
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');

  const tooOldBefore = now - MAX_AGE_MS;
  const expiredBefore = retentionDays === undefined ? -Infinity : now - retentionDays * DAY_MS;
  const tooNewAfter = now + MAX_AHEAD_MS;
  let first = 0;
  let tooOldEnd = -1;
  let expiredEnd = -1;
  while (first < events.length && (events[first]!.timestamp < tooOldBefore || events[first]!.timestamp < expiredBefore)) {
    if (events[first]!.timestamp < tooOldBefore) tooOldEnd = first;
    if (events[first]!.timestamp < expiredBefore) expiredEnd = first;
    first++;
  }
  let end = events.length;
  while (end > first && events[end - 1]!.timestamp > tooNewAfter) end--;
  const rejected: RejectedInfo = {};
  if (tooOldEnd >= 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (expiredEnd >= 0) rejected.expiredLogEventEndIndex = expiredEnd;
  if (end < events.length) rejected.tooNewLogEventStartIndex = end;
  const accepted = first === 0 && end === events.length ? events : events.slice(first, end);
  return Object.keys(rejected).length ? { accepted, rejected } : { accepted };
}
