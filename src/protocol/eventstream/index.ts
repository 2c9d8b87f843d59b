/**
 * AWS event streams (`application/vnd.amazon.eventstream`): the binary message format (`message.ts`) and
 * the model-driven encoding of an output event stream member (`events.ts`); codecs pick a body writer
 * (`jsonEventBodies` for restJson1).
 */
export {
  EVENT_STREAM_CONTENT_TYPE,
  EventStreamDecoder,
  EventStreamError,
  MAX_MESSAGE_LENGTH,
  crc32,
  decodeEventMessages,
  decodeEventStream,
  encodeEventMessage,
  encodeHeaders,
  tableCrc32,
} from './message.js';
export type { EventHeaderValue, EventHeadersInput, EventMessage, EventMessageInput } from './message.js';
export { encodeEventStream, eventMessage, eventStreamShape, isEventStreamMember, streamErrorMessage } from './events.js';
export type { EventBodyWriter, EventSource } from './events.js';
export { jsonEventBodies } from './json.js';
