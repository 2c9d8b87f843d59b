/** Shared pieces of the restJson/restXml codecs: the payload member and the response skeleton. */
import type { WireRequest } from '../../core/wire.js';
import type { Member } from '../../spec/model.js';
import { outputBytes } from '../shared/values.js';

/** Input value of a blob or string payload member; undefined when absent (streaming blobs are always set). */
export function rawPayloadInput(p: Member, req: WireRequest): unknown {
  // A streamed body (S3 PutObject / UploadPart) reaches the handler as the stream itself.
  if (req.bodyStream && p.shape.type === 'blob') return req.bodyStream;
  if (p.shape.type === 'blob') return req.body.length > 0 || p.streaming || p.shape.streaming ? req.body : undefined;
  if (p.shape.type === 'string') return req.body.length > 0 ? req.body.toString('utf8') : undefined;
  return undefined;
}

/** Whether an output payload value is a stream to write as it is produced (not bytes or text). */
export function isStreamPayload(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && typeof (v as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
}

/** Body of a blob or string payload member of an output. */
export function rawPayloadOutput(p: Member, v: unknown): Buffer | string {
  if (v === undefined || v === null) return '';
  if (p.shape.type === 'string') return typeof v === 'string' ? v : String(v);
  return outputBytes(v);
}

export function isRawPayload(p: Member): boolean {
  return p.shape.type === 'blob' || p.shape.type === 'string';
}
