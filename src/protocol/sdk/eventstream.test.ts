/**
 * SageMaker Runtime (restJson1) with the real JS SDK client: InvokeEndpoint round-trips through the codec,
 * and InvokeEndpointWithResponseStream's event stream (`application/vnd.amazon.eventstream`) is decoded by
 * the SDK's own event stream deserializer, both in-process and over a real HTTP socket (chunked, one
 * write per event), where the SDK must see each event before the handler produces the next.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  InternalStreamFailure,
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  ModelStreamError,
  SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import type { HttpRequest, HttpResponse } from '@smithy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsError } from '../../core/errors.js';
import type { WireRequest, WireResponse } from '../../core/wire.js';
import type { OperationModel } from '../../spec/model.js';
import { codecFor } from '../codec.js';
import { validateInput } from '../validate.js';
import { caught, clientConfig, codecHandler, registry, toWire } from './harness.js';

const model = registry.get('sagemaker-runtime');
const codec = codecFor(model);

type Respond = (op: OperationModel, input: Record<string, unknown>) => unknown;

interface Seen {
  op?: OperationModel;
  input?: Record<string, unknown>;
  response?: WireResponse;
}

/** Resolve, parse, validate, answer, serialize: what the gateway does around a handler. */
function answer(wire: WireRequest, respond: Respond, seen: Seen): WireResponse {
  const op = codec.resolveOperation(wire, model);
  if (!op) throw new Error(`no operation for ${wire.method} ${wire.rawPath}`);
  seen.op = op;
  const input = codec.parse(wire, model, op);
  seen.input = input;
  const invalid = validateInput(model, op, input);
  const out = invalid ?? respond(op, input);
  seen.response = out instanceof AwsError ? codec.serializeError(model, op, out, 'req-1') : codec.serialize(model, op, out, 'req-1');
  return seen.response;
}

/** Like the harness's codecHandler, but a `bodyStream` response reaches the SDK as a stream. */
function streamingHandler(respond: Respond): { handler: object; seen: Seen } {
  const seen: Seen = {};
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
    async handle(request: HttpRequest) {
      const w = answer(await toWire(request), respond, seen);
      const body = w.bodyStream ? Readable.from(w.bodyStream, { objectMode: false }) : Readable.from([Buffer.from(w.body)]);
      return { response: { statusCode: w.status, reason: undefined, headers: { ...w.headers }, body } as HttpResponse };
    },
  };
  return { handler, seen };
}

function client(handler: object) {
  return new SageMakerRuntimeClient({ ...clientConfig, requestHandler: handler as never });
}

const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('utf8');

/** Fails instead of hanging when the stream is buffered somewhere (the producer waits for the consumer). */
function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no progress within ${ms} ms: the stream is buffered`)), ms))]);
}

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('SageMaker Runtime (restJson1) with the JS SDK', () => {
  it('InvokeEndpoint: blob body and headers in; blob body, Content-Type and variant headers out', async () => {
    const { handler, exchanges } = codecHandler(model, (_op, input) => ({
      Body: Buffer.from(`{"echo":${(input.Body as Buffer).toString()}}`),
      ContentType: 'application/json',
      InvokedProductionVariant: 'AllTraffic',
      CustomAttributes: 'trace=1',
    }));
    const out = await client(handler).send(
      new InvokeEndpointCommand({
        EndpointName: 'my-endpoint',
        Body: new TextEncoder().encode('[1,2,3]'),
        ContentType: 'application/json',
        Accept: 'application/json',
        CustomAttributes: 'c000b4f9-df62-4c85-a0bf-7c525f9104a4',
      }),
    );
    const ex = exchanges[0];
    expect(ex.op?.name).toBe('InvokeEndpoint');
    expect(ex.wire?.rawPath).toBe('/endpoints/my-endpoint/invocations');
    const input = ex.input as Record<string, unknown>;
    expect(input).toMatchObject({
      EndpointName: 'my-endpoint',
      ContentType: 'application/json',
      Accept: 'application/json',
      CustomAttributes: 'c000b4f9-df62-4c85-a0bf-7c525f9104a4',
    });
    expect((input.Body as Buffer).toString()).toBe('[1,2,3]');
    expect(text(out.Body)).toBe('{"echo":[1,2,3]}');
    expect(out.ContentType).toBe('application/json');
    expect(out.InvokedProductionVariant).toBe('AllTraffic');
    expect(out.CustomAttributes).toBe('trace=1');
    expect(ex.response?.headers['x-amzn-invoked-production-variant']).toBe('AllTraffic');
  });

  it('InvokeEndpoint: binary bodies survive byte for byte; a ModelError comes back as the SDK error', async () => {
    const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
    const { handler } = codecHandler(model, (_op, input) => ({ Body: input.Body, ContentType: 'application/octet-stream' }));
    const out = await client(handler).send(new InvokeEndpointCommand({ EndpointName: 'e', Body: bytes, ContentType: 'application/octet-stream' }));
    expect([...(out.Body ?? [])]).toEqual([...bytes]);

    const failing = codecHandler(model, () =>
      new AwsError('ModelError', 'Received client error (400) from primary', { status: 424, fields: { OriginalStatusCode: 400, LogStreamArn: 'arn:aws:logs:us-east-1:1:log-group:/aws/sagemaker/Endpoints/e' } }),
    );
    const err = await caught(() => client(failing.handler).send(new InvokeEndpointCommand({ EndpointName: 'e', Body: bytes })));
    expect(err.name).toBe('ModelError');
    expect(err.message).toBe('Received client error (400) from primary');
    expect(err.OriginalStatusCode).toBe(400);
    expect(err.$metadata.httpStatusCode).toBe(424);
  });

  it('InvokeEndpointWithResponseStream: PayloadPart bytes in order; response headers', async () => {
    const parts = ['{"token":"Hel', 'lo"}\n', '{"token":" wor', 'ld"}\n'];
    const { handler, seen } = streamingHandler((_op, input) => ({
      Body: (async function* () {
        for (const p of parts) yield { PayloadPart: { Bytes: Buffer.from(p) } };
        yield { PayloadPart: { Bytes: new Uint8Array([0, 255]) } };
        expect(input.Accept).toBe('application/jsonlines');
      })(),
      ContentType: 'application/jsonlines',
      InvokedProductionVariant: 'v1',
      CustomAttributes: 'a=b',
    }));
    const out = await client(handler).send(
      new InvokeEndpointWithResponseStreamCommand({
        EndpointName: 'llm',
        Body: new TextEncoder().encode('{"inputs":"Hi"}'),
        ContentType: 'application/json',
        Accept: 'application/jsonlines',
        InferenceComponentName: 'ic-1',
      }),
    );
    expect(seen.op?.name).toBe('InvokeEndpointWithResponseStream');
    expect(seen.input).toMatchObject({ EndpointName: 'llm', ContentType: 'application/json', Accept: 'application/jsonlines', InferenceComponentName: 'ic-1' });
    expect(out.ContentType).toBe('application/jsonlines');
    expect(out.InvokedProductionVariant).toBe('v1');
    expect(out.CustomAttributes).toBe('a=b');
    const got: Uint8Array[] = [];
    for await (const ev of out.Body!) {
      expect(Object.keys(ev).filter((k) => (ev as unknown as Record<string, unknown>)[k] !== undefined)).toEqual(['PayloadPart']);
      got.push(ev.PayloadPart!.Bytes!);
    }
    expect(got.slice(0, 4).map(text)).toEqual(parts);
    expect([...got[4]]).toEqual([0, 255]);
    expect(seen.response?.headers['content-type']).toBe('application/vnd.amazon.eventstream');
  });

  it('InvokeEndpointWithResponseStream: a ModelStreamError event is thrown by the SDK as ModelStreamError after the parts before it', async () => {
    const { handler } = streamingHandler(() => ({
      Body: [
        { PayloadPart: { Bytes: Buffer.from('partial') } },
        { ModelStreamError: { Message: 'Model invocation timed out', ErrorCode: 'ModelInvocationTimeExceeded' } },
      ],
    }));
    const out = await client(handler).send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'llm', Body: new Uint8Array([1]) }));
    const got: string[] = [];
    const err = await caught(async () => {
      for await (const ev of out.Body!) got.push(text(ev.PayloadPart?.Bytes));
    });
    expect(got).toEqual(['partial']);
    expect(err).toBeInstanceOf(ModelStreamError);
    expect(err.name).toBe('ModelStreamError');
    expect(err.message).toBe('Model invocation timed out');
    expect(err.Message).toBe('Model invocation timed out');
    expect(err.ErrorCode).toBe('ModelInvocationTimeExceeded');
  });

  it('InvokeEndpointWithResponseStream: errors thrown by the producer reach the SDK (InternalStreamFailure, unmodeled codes)', async () => {
    const run = async (e: Error) => {
      const { handler } = streamingHandler(() => ({
        Body: (async function* () {
          yield { PayloadPart: { Bytes: Buffer.from('x') } };
          throw e;
        })(),
      }));
      const out = await client(handler).send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'llm', Body: new Uint8Array([1]) }));
      return caught(async () => {
        for await (const _ev of out.Body!) void _ev;
      });
    };
    const failure = await run(new AwsError('InternalStreamFailure', 'The stream processing failed because of an unknown error', { status: 500 }));
    expect(failure).toBeInstanceOf(InternalStreamFailure);
    expect(failure.message).toBe('The stream processing failed because of an unknown error');
    const unmodeled = await run(new AwsError('ThrottlingException', 'Rate exceeded'));
    expect(unmodeled.name).toBe('ThrottlingException');
    expect(unmodeled.message).toBe('Rate exceeded');
  });

  it('InvokeEndpointWithResponseStream: a validation error before the stream is an ordinary JSON error', async () => {
    const { handler } = streamingHandler(() => new AwsError('ValidationError', 'Endpoint llm of account 1 not found.'));
    const err = await caught(() => client(handler).send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'llm', Body: new Uint8Array([1]) })));
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe('Endpoint llm of account 1 not found.');
  });

  it('in-process: the SDK sees each event before the producer makes the next one', async () => {
    const g = gate();
    const { handler } = streamingHandler(() => ({
      Body: (async function* () {
        yield { PayloadPart: { Bytes: Buffer.from('first') } };
        await g.wait;
        yield { PayloadPart: { Bytes: Buffer.from('second') } };
      })(),
    }));
    const out = await within(client(handler).send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'llm', Body: new Uint8Array([1]) })));
    const it = out.Body![Symbol.asyncIterator]();
    expect(text((await within(it.next())).value?.PayloadPart?.Bytes)).toBe('first');
    g.open();
    expect(text((await within(it.next())).value?.PayloadPart?.Bytes)).toBe('second');
    expect((await within(it.next())).done).toBe(true);
  });

  describe('over a real HTTP socket (chunked, one write per event)', () => {
    let server: Server | undefined;
    afterEach(async () => {
      if (server) {
        const s = server;
        server = undefined;
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    });

    /** A minimal stand-in for the gateway's writer: headers, then each chunk written as it comes. */
    async function serve(respond: Respond): Promise<{ endpoint: string; seen: Seen }> {
      const seen: Seen = {};
      server = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const url = new URL(req.url ?? '/', 'http://x');
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        const wire: WireRequest = { method: req.method ?? 'GET', rawPath: url.pathname, rawQuery: url.search.slice(1), query: [...url.searchParams], headers, body: Buffer.concat(chunks) };
        const w = answer(wire, respond, seen);
        res.writeHead(w.status, w.headers);
        if (w.bodyStream) {
          for await (const c of w.bodyStream) res.write(c);
          res.end();
        } else res.end(w.body);
      });
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
      return { endpoint: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
    }

    it('the SDK reads each PayloadPart while the producer still waits, then the ModelStreamError', async () => {
      const g = gate();
      const { endpoint, seen } = await serve(() => ({
        Body: (async function* () {
          yield { PayloadPart: { Bytes: Buffer.from('one') } };
          await g.wait;
          yield { PayloadPart: { Bytes: Buffer.from('two') } };
          yield { ModelStreamError: { Message: 'broken', ErrorCode: 'StreamBroken' } };
        })(),
        InvokedProductionVariant: 'AllTraffic',
      }));
      const sdk = new SageMakerRuntimeClient({ ...clientConfig, endpoint });
      try {
        const out = await within(sdk.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'llm', Body: new TextEncoder().encode('{}') })));
        expect(out.InvokedProductionVariant).toBe('AllTraffic');
        expect(seen.response?.headers['content-type']).toBe('application/vnd.amazon.eventstream');
        const it = out.Body![Symbol.asyncIterator]();
        expect(text((await within(it.next())).value?.PayloadPart?.Bytes)).toBe('one');
        g.open();
        expect(text((await within(it.next())).value?.PayloadPart?.Bytes)).toBe('two');
        const err = await caught(() => within(it.next()));
        expect(err).toBeInstanceOf(ModelStreamError);
        expect(err.ErrorCode).toBe('StreamBroken');
      } finally {
        sdk.destroy();
      }
    });
  });
});
