import { describe, expect, it } from 'vitest';
import { AwsError } from '../../core/errors.js';
import { buildServiceModel, createModelRegistry } from '../../spec/load.js';
import type { RawServiceModel } from '../../spec/model.js';
import { decodeEventMessages, type EventMessage } from '../eventstream/message.js';
import { restJsonCodec } from './codec.js';

const registry = createModelRegistry();
const runtime = registry.get('sagemaker-runtime');
const streamOp = runtime.operations.InvokeEndpointWithResponseStream;

async function collect(body: AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  if (body) for await (const c of body) chunks.push(c);
  return chunks;
}

/** Header values as plain values, for compact expectations. */
function plain(m: EventMessage): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m.headers).map(([k, h]) => [k, h.value]));
}

async function messages(output: unknown, model = runtime, op = streamOp): Promise<EventMessage[]> {
  const res = restJsonCodec.serialize(model, op, output, 'rid');
  return decodeEventMessages(Buffer.concat(await collect(res.bodyStream)));
}

describe('restJson event stream output (SageMaker Runtime InvokeEndpointWithResponseStream)', () => {
  it('status, bound headers, content type; one chunk per event; PayloadPart bytes as raw octet-stream payloads', async () => {
    async function* events() {
      yield { PayloadPart: { Bytes: Buffer.from('{"token":"Hel') } };
      yield { PayloadPart: { Bytes: new Uint8Array([0, 255, 10]) } };
    }
    const res = restJsonCodec.serialize(
      runtime,
      streamOp,
      { Body: events(), ContentType: 'application/jsonlines', InvokedProductionVariant: 'AllTraffic', CustomAttributes: 'c=1' },
      'rid',
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers).toMatchObject({
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': 'rid',
      'x-amzn-sagemaker-content-type': 'application/jsonlines',
      'x-amzn-invoked-production-variant': 'AllTraffic',
      'x-amzn-sagemaker-custom-attributes': 'c=1',
    });
    const chunks = await collect(res.bodyStream);
    expect(chunks).toHaveLength(2);
    const [a, b] = chunks.map((c) => decodeEventMessages(c)[0]);
    expect(plain(a)).toEqual({ ':message-type': 'event', ':event-type': 'PayloadPart', ':content-type': 'application/octet-stream' });
    expect(a.payload.toString()).toBe('{"token":"Hel');
    expect([...b.payload]).toEqual([0, 255, 10]);
  });

  it('an exception event (ModelStreamError) is JSON of its members and ends the stream', async () => {
    let closed = false;
    async function* events() {
      try {
        yield { PayloadPart: { Bytes: Buffer.from('x') } };
        yield { ModelStreamError: { Message: 'model crashed', ErrorCode: 'ModelError' } };
        yield { PayloadPart: { Bytes: Buffer.from('never') } };
      } finally {
        closed = true;
      }
    }
    const ms = await messages({ Body: events() });
    expect(ms).toHaveLength(2);
    expect(plain(ms[1])).toEqual({ ':message-type': 'exception', ':exception-type': 'ModelStreamError', ':content-type': 'application/json' });
    expect(JSON.parse(ms[1].payload.toString())).toEqual({ Message: 'model crashed', ErrorCode: 'ModelError' });
    expect(closed).toBe(true);
  });

  it('a thrown AwsError naming an exception member becomes that exception event; other errors an unmodeled error message', async () => {
    async function* failing(err: unknown) {
      yield { PayloadPart: { Bytes: Buffer.from('a') } };
      throw err;
    }
    const modeled = await messages({ Body: failing(new AwsError('InternalStreamFailure', 'stream broke', { status: 500 })) });
    expect(modeled).toHaveLength(2);
    expect(plain(modeled[1])).toMatchObject({ ':message-type': 'exception', ':exception-type': 'InternalStreamFailure' });
    expect(JSON.parse(modeled[1].payload.toString())).toEqual({ Message: 'stream broke' });

    const withFields = await messages({ Body: failing(new AwsError('ModelStreamError', 'bad', { fields: { ErrorCode: 'E42' } })) });
    expect(JSON.parse(withFields[1].payload.toString())).toEqual({ Message: 'bad', ErrorCode: 'E42' });

    const unmodeled = await messages({ Body: failing(new AwsError('ThrottlingException', 'slow down')) });
    expect(plain(unmodeled[1])).toEqual({ ':message-type': 'error', ':error-code': 'ThrottlingException', ':error-message': 'slow down' });
    expect(unmodeled[1].payload.length).toBe(0);

    const bug = await messages({ Body: failing(new TypeError('oops')) });
    expect(plain(bug[1])).toMatchObject({ ':message-type': 'error', ':error-code': 'InternalFailure' });
  });

  it('malformed events (two keys, unknown member, not an object) end the stream with InternalFailure', async () => {
    for (const bad of [{ PayloadPart: { Bytes: 'a' }, ModelStreamError: {} }, { Nope: {} }, 42]) {
      const ms = await messages({ Body: [{ PayloadPart: { Bytes: 'ok' } }, bad, { PayloadPart: { Bytes: 'never' } }] });
      expect(ms.map((m) => m.headers[':message-type'].value)).toEqual(['event', 'error']);
      expect(ms[1].headers[':error-code'].value).toBe('InternalFailure');
    }
  });

  it('a plain array of events works, and no events is an empty stream', async () => {
    const ms = await messages({ Body: [{ PayloadPart: { Bytes: 'a' } }, { PayloadPart: { Bytes: 'b' } }] });
    expect(ms.map((m) => m.payload.toString())).toEqual(['a', 'b']);
    expect(await messages({})).toEqual([]);
  });

  it('events are pulled one at a time, and stopping early returns the handler iterator', async () => {
    const produced: number[] = [];
    let closed = false;
    async function* events() {
      try {
        for (let i = 0; i < 100; i++) {
          produced.push(i);
          yield { PayloadPart: { Bytes: Buffer.from(String(i)) } };
        }
      } finally {
        closed = true;
      }
    }
    const res = restJsonCodec.serialize(runtime, streamOp, { Body: events() }, 'rid');
    const it = res.bodyStream![Symbol.asyncIterator]();
    await it.next();
    await it.next();
    expect(produced).toEqual([0, 1]);
    await it.return?.();
    expect(closed).toBe(true);
  });
});

describe('restJson raw payloads', () => {
  it('an AsyncIterable blob payload is passed through as bodyStream (InvokeEndpoint), bytes stay a body', async () => {
    const op = runtime.operations.InvokeEndpoint;
    async function* chunks() {
      yield Buffer.from('ab');
      yield Buffer.from('c');
    }
    const streamed = restJsonCodec.serialize(runtime, op, { Body: chunks(), ContentType: 'text/csv' }, 'rid');
    expect(streamed.body).toBe('');
    expect(streamed.headers['content-type']).toBe('text/csv');
    expect(Buffer.concat(await collect(streamed.bodyStream)).toString()).toBe('abc');
    const buffered = restJsonCodec.serialize(runtime, op, { Body: Buffer.from('xyz') }, 'rid');
    expect(buffered.bodyStream).toBeUndefined();
    expect(buffered.body.toString()).toBe('xyz');
    expect(buffered.headers['content-type']).toBe('application/octet-stream');
  });
});

/** A small model exercising the traits SageMaker Runtime does not use: eventheader, string and structure payloads, JSON bodies. */
const raw: RawServiceModel = {
  metadata: { apiVersion: '2024-01-01', endpointPrefix: 'ev', protocol: 'rest-json', serviceId: 'Ev', signingName: 'ev' },
  operations: {
    Subscribe: { name: 'Subscribe', http: { method: 'POST', requestUri: '/subscribe' }, output: { shape: 'SubscribeOutput' } },
  },
  shapes: {
    SubscribeOutput: {
      type: 'structure',
      members: { Stream: { shape: 'Events' }, RequestTag: { shape: 'Str', location: 'header', locationName: 'x-tag' } },
      payload: 'Stream',
    },
    Events: {
      type: 'structure',
      eventstream: true,
      members: { Record: { shape: 'RecordEvent' }, Note: { shape: 'NoteEvent' }, Stats: { shape: 'StatsEvent' }, Nothing: { shape: 'Empty' }, Boom: { shape: 'BoomException' } },
    },
    RecordEvent: {
      type: 'structure',
      event: true,
      members: {
        Seq: { shape: 'Long', eventheader: true },
        Count: { shape: 'Int', eventheader: true },
        Final: { shape: 'Bool', eventheader: true },
        At: { shape: 'Time', eventheader: true },
        Tag: { shape: 'Blob', eventheader: true },
        Name: { shape: 'Str' },
        Items: { shape: 'StrList' },
        When: { shape: 'Time' },
      },
    },
    NoteEvent: { type: 'structure', event: true, members: { Text: { shape: 'Str', eventpayload: true }, Lang: { shape: 'Str', eventheader: true } } },
    StatsEvent: { type: 'structure', event: true, members: { Body: { shape: 'StatsBody', eventpayload: true } } },
    StatsBody: { type: 'structure', members: { Mean: { shape: 'Double' }, N: { shape: 'Int' } } },
    Empty: { type: 'structure', event: true, members: {} },
    BoomException: { type: 'structure', exception: true, error: { httpStatusCode: 400 }, members: { message: { shape: 'Str' }, Detail: { shape: 'Str' } } },
    Str: { type: 'string' },
    StrList: { type: 'list', member: { shape: 'Str' } },
    Long: { type: 'long' },
    Int: { type: 'integer' },
    Bool: { type: 'boolean' },
    Time: { type: 'timestamp' },
    Blob: { type: 'blob' },
    Double: { type: 'double' },
  },
};
const evModel = buildServiceModel('ev', raw);
const subscribe = evModel.operations.Subscribe;

describe('restJson event stream traits (inline model)', () => {
  it('eventheader members become typed headers; the other members a JSON body with JSON timestamps', async () => {
    const at = new Date('2024-06-07T08:09:10.500Z');
    const ms = await messages(
      { RequestTag: 't', Stream: [{ Record: { Seq: 2 ** 40, Count: 3, Final: false, At: at, Tag: Buffer.from([1, 2]), Name: 'n', Items: ['a', 'b'], When: at } }] },
      evModel,
      subscribe,
    );
    expect(ms).toHaveLength(1);
    const h = ms[0].headers;
    expect(h[':message-type'].value).toBe('event');
    expect(h[':event-type'].value).toBe('Record');
    expect(h[':content-type'].value).toBe('application/json');
    expect(h.Seq).toEqual({ type: 'long', value: 2n ** 40n });
    expect(h.Count).toEqual({ type: 'integer', value: 3 });
    expect(h.Final).toEqual({ type: 'boolean', value: false });
    expect(h.At).toEqual({ type: 'timestamp', value: at });
    expect(h.Tag).toEqual({ type: 'binary', value: Buffer.from([1, 2]) });
    expect(JSON.parse(ms[0].payload.toString())).toEqual({ Name: 'n', Items: ['a', 'b'], When: at.getTime() / 1000 });
  });

  it('string payload as text/plain, structure payload as JSON, empty event as {}, exception with lower-case message', async () => {
    const ms = await messages(
      {
        Stream: (async function* () {
          yield { Note: { Text: 'hello ✓', Lang: 'en' } };
          yield { Stats: { Body: { Mean: 1.5, N: 2 } } };
          yield { Nothing: {} };
          throw new AwsError('BoomException', 'kaboom', { fields: { Detail: 'd' } });
        })(),
      },
      evModel,
      subscribe,
    );
    expect(ms.map(plain)).toEqual([
      { ':message-type': 'event', ':event-type': 'Note', ':content-type': 'text/plain', Lang: 'en' },
      { ':message-type': 'event', ':event-type': 'Stats', ':content-type': 'application/json' },
      { ':message-type': 'event', ':event-type': 'Nothing', ':content-type': 'application/json' },
      // The error code names the shape (BoomException); the wire names the union member (Boom).
      { ':message-type': 'exception', ':exception-type': 'Boom', ':content-type': 'application/json' },
    ]);
    expect(ms[0].payload.toString()).toBe('hello ✓');
    expect(JSON.parse(ms[1].payload.toString())).toEqual({ Mean: 1.5, N: 2 });
    expect(ms[2].payload.toString()).toBe('{}');
    expect(JSON.parse(ms[3].payload.toString())).toEqual({ message: 'kaboom', Detail: 'd' });
  });

  it('the output header binding still applies next to the stream', () => {
    const res = restJsonCodec.serialize(evModel, subscribe, { RequestTag: 'tag-1', Stream: [] }, 'rid');
    expect(res.headers['x-tag']).toBe('tag-1');
    expect(res.headers['content-type']).toBe('application/vnd.amazon.eventstream');
  });
});
