/**
 * Event streams of the service model: an output member targeting a union with `eventstream: true` is
 * written as a sequence of binary messages (`message.ts`) instead of one body. The handler returns, for
 * that member, an `AsyncIterable` (or an `Iterable`) of events, each an object with exactly one key: the
 * union member name (`{ PayloadPart: { Bytes } }`, `{ ModelStreamError: { Message, ErrorCode } }`).
 *
 * An event becomes `:message-type: event`, `:event-type: <member>`; its members marked `eventheader` go
 * into headers named after the member; a member marked `eventpayload` is the payload (a blob raw with
 * `:content-type: application/octet-stream`, a string as UTF-8 `text/plain`, a structure in the
 * protocol's body format); without one, the other members are written as a structure body by the
 * protocol's `EventBodyWriter`. A member whose target is an exception (`exception: true`) becomes
 * `:message-type: exception`, `:exception-type: <member>` and ends the stream.
 *
 * An error thrown while the events are produced ends the stream too: an `AwsError` whose code names an
 * exception member of the union is sent as that exception event; anything else as an unmodeled
 * `:message-type: error` message (`:error-code`, `:error-message`; `InternalFailure` for non-AwsErrors).
 * HTTP status and headers are out by then, so this is the only way left to tell the client.
 */
import { toAwsError, type AwsError } from '../../core/errors.js';
import type { Member, Shape, StructureShape } from '../../spec/model.js';
import { errorCode } from '../../spec/model.js';
import { outputBytes, outputDate } from '../shared/values.js';
import { encodeEventMessage, type EventHeaderValue, type EventMessageInput } from './message.js';

/** How a protocol writes an event's structure body (JSON for the JSON protocols). */
export interface EventBodyWriter {
  /** The `:content-type` of structure bodies (`application/json`). */
  readonly contentType: string;
  /** `value` (already without the header members) as a body of `shape`. */
  structure(shape: StructureShape, value: Readonly<Record<string, unknown>>): Uint8Array | string;
}

/** The events a handler returns for an event stream member. */
export type EventSource = AsyncIterable<unknown> | Iterable<unknown>;

/** The union shape of a member that is an event stream (`eventstream: true`), else undefined. */
export function eventStreamShape(m: Member | undefined): StructureShape | undefined {
  const s = m?.shape;
  return s && s.type === 'structure' && s.eventstream ? s : undefined;
}

export function isEventStreamMember(m: Member | undefined): boolean {
  return eventStreamShape(m) !== undefined;
}

function isException(s: StructureShape): boolean {
  return s.exception === true || s.error !== undefined;
}

/** The one union member an event object names, with its value. */
function eventEntry(union: StructureShape, event: unknown): { member: Member; shape: StructureShape; value: Record<string, unknown> } {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new Error(`${union.name}: an event must be an object, got ${typeof event}`);
  const keys = Object.keys(event).filter((k) => (event as Record<string, unknown>)[k] !== undefined);
  if (keys.length !== 1) throw new Error(`${union.name}: an event must have exactly one key, got ${JSON.stringify(keys)}`);
  const name = keys[0];
  const member = Object.hasOwn(union.members, name) ? union.members[name] : undefined;
  if (!member) throw new Error(`${union.name}: no event ${JSON.stringify(name)}`);
  if (member.shape.type !== 'structure') throw new Error(`${union.name}.${name}: event target ${member.shape.name} is not a structure`);
  const v = (event as Record<string, unknown>)[name];
  const value = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  return { member, shape: member.shape, value };
}

function headerOf(m: Member, shape: Shape, v: unknown): EventHeaderValue {
  switch (shape.type) {
    case 'string':
      return { type: 'string', value: typeof v === 'string' ? v : String(v) };
    case 'boolean':
      return { type: 'boolean', value: Boolean(v) };
    case 'integer':
      return { type: 'integer', value: Number(v) };
    case 'long':
      return { type: 'long', value: typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))) };
    case 'blob':
      return { type: 'binary', value: outputBytes(v) };
    case 'timestamp': {
      const d = outputDate(v);
      if (!d) throw new Error(`event header ${m.name}: invalid timestamp`);
      return { type: 'timestamp', value: d };
    }
    default:
      throw new Error(`event header ${m.name}: a ${shape.type} cannot be a header`);
  }
}

/** Headers (other than `:message-type` …) and payload of one event structure. */
function eventParts(
  shape: StructureShape,
  value: Readonly<Record<string, unknown>>,
  writer: EventBodyWriter,
): { headers: Record<string, EventHeaderValue>; contentType: string; payload: Uint8Array | string } {
  const headers: Record<string, EventHeaderValue> = {};
  const body: Record<string, unknown> = {};
  let payloadMember: Member | undefined;
  for (const mn of shape.memberNames) {
    const m = shape.members[mn];
    const v = Object.hasOwn(value, mn) ? value[mn] : undefined;
    if (m.eventpayload) payloadMember = m;
    else if (m.eventheader) {
      if (v !== undefined && v !== null) headers[mn] = headerOf(m, m.shape, v);
    } else if (v !== undefined) body[mn] = v;
  }
  if (!payloadMember) return { headers, contentType: writer.contentType, payload: writer.structure(shape, body) };
  const v = value[payloadMember.name];
  const ps = payloadMember.shape;
  if (ps.type === 'blob') return { headers, contentType: 'application/octet-stream', payload: v === undefined || v === null ? '' : outputBytes(v) };
  if (ps.type === 'string') return { headers, contentType: 'text/plain', payload: v === undefined || v === null ? '' : String(v) };
  if (ps.type === 'structure') {
    const sv = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
    return { headers, contentType: writer.contentType, payload: writer.structure(ps, sv) };
  }
  throw new Error(`${shape.name}.${payloadMember.name}: a ${ps.type} cannot be an event payload`);
}

/**
 * The message of one event object (`{ PayloadPart: { Bytes } }`), and whether it ends the stream (an
 * exception event). Throws a plain Error for an object that is not an event of the union.
 */
export function eventMessage(union: StructureShape, event: unknown, writer: EventBodyWriter): { message: EventMessageInput; terminal: boolean } {
  const { member, shape, value } = eventEntry(union, event);
  const parts = eventParts(shape, value, writer);
  const exception = isException(shape);
  const kind: Record<string, string> = exception
    ? { ':message-type': 'exception', ':exception-type': member.name }
    : { ':message-type': 'event', ':event-type': member.name };
  return {
    message: { headers: { ...kind, ':content-type': parts.contentType, ...parts.headers }, payload: parts.payload },
    terminal: exception,
  };
}

/** The exception member of the union an error code names (the member name, or its shape's error code). */
function exceptionMember(union: StructureShape, code: string): Member | undefined {
  for (const mn of union.memberNames) {
    const m = union.members[mn];
    if (m.shape.type === 'structure' && isException(m.shape) && (mn === code || errorCode(m.shape) === code)) return m;
  }
  return undefined;
}

/** The last message of a stream that failed with `err`: a modeled exception event or an unmodeled error. */
export function streamErrorMessage(union: StructureShape, err: unknown, writer: EventBodyWriter): EventMessageInput {
  const e: AwsError = toAwsError(err);
  const m = exceptionMember(union, e.code);
  if (m && m.shape.type === 'structure') {
    const fields: Record<string, unknown> = { ...e.fields };
    const messageMember = m.shape.memberNames.find((n) => n.toLowerCase() === 'message');
    if (messageMember && fields[messageMember] === undefined) fields[messageMember] = e.message;
    return eventMessage(union, { [m.name]: fields }, writer).message;
  }
  return { headers: { ':message-type': 'error', ':error-code': e.code, ':error-message': e.message } };
}

function iteratorOf(events: unknown): AsyncIterator<unknown> | Iterator<unknown> {
  if (events !== null && typeof events === 'object') {
    const a = (events as AsyncIterable<unknown>)[Symbol.asyncIterator];
    if (typeof a === 'function') return a.call(events) as AsyncIterator<unknown>;
    const s = (events as Iterable<unknown>)[Symbol.iterator];
    if (typeof s === 'function' && !(events instanceof Uint8Array)) return s.call(events) as Iterator<unknown>;
  }
  throw new Error(`an event stream must be an AsyncIterable or Iterable of events, got ${typeof events}`);
}

/**
 * The encoded messages of a handler's events, one chunk per event, produced as the events are (the gateway
 * writes each chunk as it comes). Undefined or null events give an empty stream. Stopping the iteration
 * early (the client went away) returns the handler's iterator.
 */
export async function* encodeEventStream(union: StructureShape, events: EventSource | null | undefined, writer: EventBodyWriter): AsyncGenerator<Uint8Array> {
  if (events === undefined || events === null) return;
  let it: AsyncIterator<unknown> | Iterator<unknown>;
  try {
    it = iteratorOf(events);
  } catch (e) {
    yield encodeEventMessage(streamErrorMessage(union, e, writer));
    return;
  }
  let sourceDone = false;
  try {
    for (;;) {
      let r: IteratorResult<unknown>;
      try {
        r = await it.next();
      } catch (e) {
        sourceDone = true;
        yield encodeEventMessage(streamErrorMessage(union, e, writer));
        return;
      }
      if (r.done) {
        sourceDone = true;
        return;
      }
      let encoded: { chunk: Buffer; terminal: boolean };
      try {
        const { message, terminal } = eventMessage(union, r.value, writer);
        encoded = { chunk: encodeEventMessage(message), terminal };
      } catch (e) {
        yield encodeEventMessage(streamErrorMessage(union, e, writer));
        return;
      }
      yield encoded.chunk;
      if (encoded.terminal) return;
    }
  } finally {
    if (!sourceDone) await it.return?.();
  }
}
