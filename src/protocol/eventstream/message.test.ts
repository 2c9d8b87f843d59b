import { EventStreamCodec, Int64 } from '@smithy/core/event-streams';
import { describe, expect, it } from 'vitest';
import {
  EventStreamDecoder,
  EventStreamError,
  crc32,
  decodeEventMessages,
  decodeEventStream,
  encodeEventMessage,
  tableCrc32,
  type EventHeaderValue,
  type EventMessageInput,
} from './message.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const BODY = "{'foo':'bar'}";

/** The published event stream test vectors (aws-c-event-stream / the JS SDK's marshaller tests), as hex. */
const VECTORS: Array<{ name: string; encoded: string; message: EventMessageInput }> = [
  { name: 'empty message', encoded: '000000100000000005c248eb7d98c8ff', message: { headers: {} } },
  {
    name: 'payload, no headers',
    encoded: '0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936',
    message: { headers: {}, payload: BODY },
  },
  {
    name: 'int32 header',
    encoded: '0000002b0000000e348bec7b086576656e742d6964040000a00c7b27666f6f273a27626172277dd3890285',
    message: { headers: { 'event-id': { type: 'integer', value: 0xa00c } }, payload: BODY },
  },
  {
    name: 'one string header',
    encoded:
      '0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1',
    message: { headers: { 'content-type': 'application/json' }, payload: BODY },
  },
];

const ALL_TYPES: Record<string, EventHeaderValue> = {
  yes: { type: 'boolean', value: true },
  no: { type: 'boolean', value: false },
  b: { type: 'byte', value: -7 },
  s: { type: 'short', value: -30000 },
  i: { type: 'integer', value: 2_000_000_000 },
  l: { type: 'long', value: -(2n ** 62n) + 5n },
  bin: { type: 'binary', value: Buffer.from([0, 1, 254, 255]) },
  str: { type: 'string', value: 'ü ß ✓' },
  ts: { type: 'timestamp', value: new Date('2024-06-07T08:09:10.123Z') },
  id: { type: 'uuid', value: '6e4b2a8c-1f3d-4c5e-9a7b-0123456789ab' },
};

/** The SDK's own codec (the one its clients decode responses with). */
const sdkCodec = new EventStreamCodec(
  (b) => Buffer.from(b).toString('utf8'),
  (s) => new Uint8Array(Buffer.from(s, 'utf8')),
);

describe('event stream messages', () => {
  it('crc32: zlib.crc32 and the table fallback agree', () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    expect(crc32(data)).toBe(0x414fa339);
    expect(tableCrc32(data)).toBe(0x414fa339);
    expect(tableCrc32(data.subarray(10), tableCrc32(data.subarray(0, 10)))).toBe(0x414fa339);
    expect(tableCrc32(Buffer.alloc(0))).toBe(0);
  });

  for (const v of VECTORS) {
    it(`known vector: ${v.name}`, () => {
      expect(encodeEventMessage(v.message).toString('hex')).toBe(v.encoded);
      const [m, ...rest] = decodeEventMessages(hex(v.encoded));
      expect(rest).toEqual([]);
      const want = Object.fromEntries(Object.entries(v.message.headers).map(([k, h]) => [k, typeof h === 'string' ? { type: 'string', value: h } : h]));
      expect(m.headers).toEqual(want);
      expect(m.payload.toString('utf8')).toBe(v.message.payload ?? '');
    });
  }

  it('rejects corrupted messages (header byte, headers length, total length, payload byte, truncation)', () => {
    const good = hex(VECTORS[3].encoded);
    const flip = (i: number, x = 0x01) => {
      const b = Buffer.from(good);
      b[i] ^= x;
      return b;
    };
    for (const bad of [flip(20), flip(6), flip(0), flip(good.length - 6), good.subarray(0, good.length - 1)]) {
      expect(() => decodeEventMessages(bad)).toThrow(EventStreamError);
    }
  });

  it('all header types round-trip', () => {
    const bytes = encodeEventMessage({ headers: ALL_TYPES, payload: Buffer.from([9, 8, 7]) });
    const [m] = decodeEventMessages(bytes);
    expect(m.headers).toEqual(ALL_TYPES);
    expect([...m.payload]).toEqual([9, 8, 7]);
    expect(Object.keys(m.headers)).toEqual(Object.keys(ALL_TYPES));
  });

  it('refuses values the wire cannot carry', () => {
    expect(() => encodeEventMessage({ headers: { ['x'.repeat(256)]: 'v' } })).toThrow(/1 to 255 bytes/);
    expect(() => encodeEventMessage({ headers: { s: 'x'.repeat(70_000) } })).toThrow(/65535/);
    expect(() => encodeEventMessage({ headers: { b: { type: 'byte', value: 128 } } })).toThrow(/out of range/);
    expect(() => encodeEventMessage({ headers: { l: { type: 'long', value: 2n ** 63n } } })).toThrow(/out of range/);
    expect(() => encodeEventMessage({ headers: { u: { type: 'uuid', value: 'nope' } } })).toThrow(/uuid/);
  });

  it('several messages in one buffer, and split at every byte boundary by the incremental decoder', async () => {
    const msgs = [
      encodeEventMessage({ headers: { ':event-type': 'A' }, payload: 'one' }),
      encodeEventMessage({ headers: {} }),
      encodeEventMessage({ headers: { ':event-type': 'C', n: { type: 'integer', value: 3 } }, payload: Buffer.alloc(300, 7) }),
    ];
    const all = Buffer.concat(msgs);
    expect(decodeEventMessages(all).map((m) => m.payload.length)).toEqual([3, 0, 300]);
    for (const size of [1, 2, 5, 16, 17, 1000]) {
      const d = new EventStreamDecoder();
      const got = [];
      for (let i = 0; i < all.length; i += size) got.push(...d.push(all.subarray(i, i + size)));
      d.end();
      expect(got.map((m) => m.headers[':event-type']?.value ?? null)).toEqual(['A', null, 'C']);
      expect(got[2].payload.equals(Buffer.alloc(300, 7))).toBe(true);
    }
    async function* chunks() {
      yield all.subarray(0, 10);
      yield all.subarray(10);
    }
    const streamed = [];
    for await (const m of decodeEventStream(chunks())) streamed.push(m.payload.toString());
    expect(streamed).toEqual(['one', '', '\x07'.repeat(300)]);
    const d = new EventStreamDecoder();
    d.push(all.subarray(0, 5));
    expect(() => d.end()).toThrow(/truncated/);
  });

  describe('agrees with the SDK codec (@smithy/core/event-streams)', () => {
    it('the SDK decodes what we encode', () => {
      const bytes = encodeEventMessage({ headers: ALL_TYPES, payload: 'payload ✓' });
      const m = sdkCodec.decode(bytes);
      expect(Buffer.from(m.body).toString()).toBe('payload ✓');
      const h = m.headers;
      expect(h.yes).toEqual({ type: 'boolean', value: true });
      expect(h.no).toEqual({ type: 'boolean', value: false });
      expect(h.b).toEqual({ type: 'byte', value: -7 });
      expect(h.s).toEqual({ type: 'short', value: -30000 });
      expect(h.i).toEqual({ type: 'integer', value: 2_000_000_000 });
      expect(h.l.type).toBe('long');
      // Int64.toString goes through a double; its big-endian bytes are exact.
      expect(Buffer.from((h.l.value as Int64).bytes).readBigInt64BE()).toBe(-(2n ** 62n) + 5n);
      expect(h.bin.type).toBe('binary');
      expect([...(h.bin.value as Uint8Array)]).toEqual([0, 1, 254, 255]);
      expect(h.str).toEqual({ type: 'string', value: 'ü ß ✓' });
      expect(h.ts).toEqual({ type: 'timestamp', value: new Date('2024-06-07T08:09:10.123Z') });
      expect(h.id).toEqual({ type: 'uuid', value: '6e4b2a8c-1f3d-4c5e-9a7b-0123456789ab' });
    });

    it('we decode what the SDK encodes, byte for byte the same as our encoding', () => {
      const bytes = sdkCodec.encode({
        headers: {
          ':message-type': { type: 'string', value: 'event' },
          yes: { type: 'boolean', value: true },
          b: { type: 'byte', value: 5 },
          s: { type: 'short', value: 300 },
          i: { type: 'integer', value: -1 },
          l: { type: 'long', value: Int64.fromNumber(-123456789012) },
          bin: { type: 'binary', value: new Uint8Array([1, 2]) },
          ts: { type: 'timestamp', value: new Date(1_700_000_000_000) },
          id: { type: 'uuid', value: '00112233-4455-6677-8899-aabbccddeeff' },
        },
        body: new Uint8Array(Buffer.from('{"a":1}')),
      });
      const [m] = decodeEventMessages(bytes);
      const expected: Record<string, EventHeaderValue> = {
        ':message-type': { type: 'string', value: 'event' },
        yes: { type: 'boolean', value: true },
        b: { type: 'byte', value: 5 },
        s: { type: 'short', value: 300 },
        i: { type: 'integer', value: -1 },
        l: { type: 'long', value: -123456789012n },
        bin: { type: 'binary', value: Buffer.from([1, 2]) },
        ts: { type: 'timestamp', value: new Date(1_700_000_000_000) },
        id: { type: 'uuid', value: '00112233-4455-6677-8899-aabbccddeeff' },
      };
      expect(m.headers).toEqual(expected);
      expect(m.payload.toString()).toBe('{"a":1}');
      expect(encodeEventMessage({ headers: expected, payload: '{"a":1}' }).equals(Buffer.from(bytes))).toBe(true);
    });
  });
});
