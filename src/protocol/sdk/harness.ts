/**
 * Test harness: a real AWS SDK v3 client whose `requestHandler` hands the exact request it would send to
 * our codec (resolveOperation + parse), then answers with what our codec serializes, so the SDK's own
 * deserializer judges our output. No sockets.
 */
import { Readable } from 'node:stream';
import type { HttpRequest, HttpResponse } from '@smithy/types';
import { AwsError as AwsErrorClass } from '../../core/errors.js';
import type { AwsError } from '../../core/errors.js';
import type { WireRequest, WireResponse } from '../../core/wire.js';
import { createModelRegistry } from '../../spec/load.js';
import type { OperationModel, ServiceModel } from '../../spec/model.js';
import { codecFor } from '../codec.js';
import type { ProtocolCodec } from '../codec.js';
import { validateInput } from '../validate.js';

export const registry = createModelRegistry();

export const clientConfig = {
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:4566',
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  maxAttempts: 1,
} as const;

/** RFC 3986 encoding as the SDK signs query strings. */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof Readable || (typeof body === 'object' && Symbol.asyncIterator in body)) {
    const chunks: Buffer[] = [];
    for await (const c of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
    return Buffer.concat(chunks);
  }
  throw new Error(`unsupported request body ${typeof body}`);
}

/** The SDK's HttpRequest as the gateway would hand it to a codec. */
export async function toWire(req: HttpRequest): Promise<WireRequest> {
  const query: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v === null || v === undefined) query.push([k, '']);
    else if (Array.isArray(v)) for (const x of v) query.push([k, x]);
    else query.push([k, v as string]);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  return {
    method: req.method,
    rawPath: req.path,
    rawQuery: query.map(([k, v]) => (v === '' ? encode(k) : `${encode(k)}=${encode(v)}`)).join('&'),
    query,
    headers,
    body: await bodyBytes(req.body),
  };
}

export function toSdkResponse(w: WireResponse): HttpResponse {
  const body = typeof w.body === 'string' ? Buffer.from(w.body, 'utf8') : w.body;
  return { statusCode: w.status, reason: undefined, headers: { ...w.headers }, body: Readable.from([body]) } as HttpResponse;
}

export interface Exchange {
  op?: OperationModel;
  input?: Record<string, unknown>;
  wire?: WireRequest;
  response?: WireResponse;
}

/**
 * A requestHandler for an SDK client: each request is resolved and parsed by our codec, then answered with
 * `respond(op, input)`: an output object (serialized by the codec) or an AwsError (serializeError).
 */
export function codecHandler(
  model: ServiceModel,
  respond: (op: OperationModel, input: Record<string, unknown>) => unknown,
  codec: ProtocolCodec = codecFor(model),
): { handler: object; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
    async handle(request: HttpRequest) {
      const ex: Exchange = {};
      exchanges.push(ex);
      const wire = await toWire(request);
      ex.wire = wire;
      const op = codec.resolveOperation(wire, model);
      if (!op) throw new Error(`no operation for ${wire.method} ${wire.rawPath}?${wire.rawQuery}`);
      ex.op = op;
      const input = codec.parse(wire, model, op);
      ex.input = input;
      const requestId = `req-${exchanges.length}`;
      const invalid = validateInput(model, op, input);
      let response: WireResponse;
      if (invalid) response = codec.serializeError(model, op, invalid, requestId);
      else {
        const out = respond(op, input);
        response = isError(out) ? codec.serializeError(model, op, out, requestId) : codec.serialize(model, op, out, requestId);
      }
      ex.response = response;
      return { response: toSdkResponse(response) };
    },
  };
  return { handler, exchanges };
}

function isError(x: unknown): x is AwsError {
  return x instanceof Error && 'code' in x && 'status' in x;
}

/** Runs `fn` and returns the error it throws (fails when it does not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<Error & Record<string, any>> {
  try {
    await fn();
  } catch (e) {
    return e as Error & Record<string, any>;
  }
  throw new Error('expected an error');
}

/** The AwsError for an error shape of the model (what the generated `<Prefix>Errors` factories build). */
export function modelError(model: ServiceModel, shapeName: string, message: string, fields?: Record<string, unknown>): AwsError {
  const s = model.shapes[shapeName];
  if (!s || s.type !== 'structure') throw new Error(`no error shape ${shapeName}`);
  const status = s.error?.httpStatusCode ?? 400;
  return new AwsErrorClass(s.error?.code ?? s.name, message, { status, fault: status >= 500 ? 'Receiver' : 'Sender', fields });
}
