/**
 * Smithy RPC v2 CBOR: `POST /service/<ServiceName>/operation/<Operation>` with `smithy-protocol: rpc-v2-cbor`
 * and a CBOR map body (empty when the operation has no input). Responses carry the same header and
 * `application/cbor`. Errors: a body map with `__type` (the error shape's name) and `message`; services
 * marked `awsQueryCompatible` also send `x-amzn-query-error: <Code>;<Sender|Receiver>` as awsJson does.
 *
 * CBOR itself is cbor2's (RFC 8949, pure JS): it decodes tag 1 to `Date`, byte strings to `Uint8Array`,
 * indefinite-length items, and encodes `Date` as tag 1.
 */
import { decode, encode } from 'cbor2';
import type { WireRequest } from '../../core/wire.js';
import type { ServiceModel } from '../../spec/model.js';
import type { ProtocolCodec } from '../codec.js';
import { jsonErrorBody, jsonErrorType } from '../json/errors.js';
import { malformedFactory } from '../shared/values.js';
import { readCborStructure, writeCborStructure } from './values.js';

export const malformedCbor = malformedFactory('SerializationException');

export const RPC_V2_CBOR = 'rpc-v2-cbor';
const CONTENT_TYPE = 'application/cbor';

/** The service and operation of an RPC v2 path (`/service/GraniteServiceVersion20100801/operation/PutMetricData`). */
export function rpcV2Path(rawPath: string): { service: string; operation: string } | undefined {
  const path = rawPath.split('?')[0]!;
  // A path prefix (an endpoint with a base path) is allowed before `/service/`.
  const m = /\/service\/([^/]+)\/operation\/([^/]+)$/.exec(path);
  return m ? { service: decodeURIComponent(m[1]!), operation: decodeURIComponent(m[2]!) } : undefined;
}

/** True when a request speaks RPC v2 CBOR (the header is required by the protocol). */
export function isRpcV2Cbor(req: Pick<WireRequest, 'headers'>): boolean {
  return req.headers['smithy-protocol'] === RPC_V2_CBOR;
}

function serviceShapeName(model: ServiceModel): string | undefined {
  const prefix = model.metadata.targetPrefix;
  return prefix ? prefix.slice(prefix.lastIndexOf('.') + 1) : undefined;
}

export function decodeCborBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return decode(body);
  } catch (e) {
    throw malformedCbor(`Request body is not valid CBOR: ${(e as Error).message}`);
  }
}

function headers(requestId: string): Record<string, string> {
  return { 'content-type': CONTENT_TYPE, 'smithy-protocol': RPC_V2_CBOR, 'x-amzn-requestid': requestId };
}

export const cborCodec: ProtocolCodec = {
  protocol: 'smithy-rpc-v2-cbor',
  resolveOperation(req, model) {
    const p = rpcV2Path(req.rawPath);
    if (!p) return undefined;
    const svc = serviceShapeName(model);
    if (svc !== undefined && p.service !== svc && !p.service.endsWith(`#${svc}`)) return undefined;
    return Object.hasOwn(model.operations, p.operation) ? model.operations[p.operation] : undefined;
  },
  parse(req, _model, op) {
    const body = decodeCborBody(req.body);
    return op.input ? readCborStructure(op.input, body, malformedCbor) : {};
  },
  serialize(_model, op, output, requestId) {
    const body = op.output ? writeCborStructure(op.output, output) : {};
    return { status: 200, headers: headers(requestId), body: Buffer.from(encode(body)) };
  },
  serializeError(model, _op, err, requestId) {
    const h = headers(requestId);
    if (model.metadata.awsQueryCompatible) h['x-amzn-query-error'] = `${err.code};${err.fault}`;
    const body = { __type: jsonErrorType(model, err), ...jsonErrorBody(model, err) };
    return { status: err.status, headers: h, body: Buffer.from(encode(body)) };
  },
};
