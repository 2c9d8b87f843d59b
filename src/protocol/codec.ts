/**
 * One codec per wire protocol, chosen from the service model. The gateway asks the codec which operation a
 * request is for, parses it into the operation's input (then `validate.ts` checks it against the model),
 * and turns the handler's output or an `AwsError` back into bytes. Codecs are stateless; what they derive
 * from the model (routes, member tables) is memoized in `model.cache`.
 *
 * Parsed input values: `Date` for timestamps, `Buffer` (a `Uint8Array`) for blobs, numbers, booleans,
 * arrays, plain objects for structures and maps. Output values: the same, and timestamps may also be ISO
 * strings or epoch seconds, blobs strings.
 */
import type { AwsError } from '../core/errors.js';
import type { WireRequest, WireResponse } from '../core/wire.js';
import type { OperationModel, ServiceModel } from '../spec/model.js';
import { cborCodec, isRpcV2Cbor } from './cbor/codec.js';
import { jsonCodec } from './json/codec.js';
import { queryCodec } from './query/codec.js';
import { restJsonCodec } from './rest-json/codec.js';
import { restXmlCodec, serializeRestXmlOutput } from './rest-xml/codec.js';
import { s3CodecOptions } from './rest-xml/s3.js';

export type ProtocolName = 'query' | 'json' | 'rest-json' | 'rest-xml' | 'smithy-rpc-v2-cbor';

export interface ProtocolCodec {
  readonly protocol: ProtocolName;
  /**
   * The operation a request is for, or undefined. query: `Action=`; json: the `X-Amz-Target` suffix;
   * rest: method + `requestUri` template (labels, greedy labels, query literals), most specific match.
   */
  resolveOperation(req: WireRequest, model: ServiceModel): OperationModel | undefined;
  /** Request → input members keyed by their AWS names. Throws an AwsError for unreadable requests. */
  parse(req: WireRequest, model: ServiceModel, op: OperationModel): Record<string, unknown>;
  serialize(model: ServiceModel, op: OperationModel, output: unknown, requestId: string): WireResponse;
  serializeError(model: ServiceModel, op: OperationModel | undefined, err: AwsError, requestId: string): WireResponse;
}

/**
 * Replaces the output serialization of one operation (S3's `GetBucketLocation`, `ListBuckets` quirks);
 * `next` is the default serializer, so an override may post-process it.
 */
export type SerializeOverride = (
  output: unknown,
  requestId: string,
  next: (output: unknown) => WireResponse,
) => WireResponse;

export interface CodecOptions {
  /** Force a protocol the model lists in `metadata.protocols` (e.g. `query` for old SQS clients). */
  readonly protocol?: ProtocolName;
  /** Per-operation output serializers, keyed by operation name. */
  readonly overrides?: Readonly<Record<string, SerializeOverride>>;
  /** restXml: document element names per operation (S3: `{ ListObjectsV2: 'ListBucketResult' }`). */
  readonly xmlRootNames?: Readonly<Record<string, string>>;
}

const CODECS: Readonly<Record<ProtocolName, ProtocolCodec>> = {
  query: queryCodec,
  json: jsonCodec,
  'rest-json': restJsonCodec,
  'rest-xml': restXmlCodec,
  'smithy-rpc-v2-cbor': cborCodec,
};

function isProtocolName(p: string): p is ProtocolName {
  return Object.hasOwn(CODECS, p);
}

/** The protocol mlzone speaks for a model by default: the first of `metadata.protocols` it supports. */
export function protocolOf(model: ServiceModel): ProtocolName {
  const listed = model.metadata.protocols ?? [model.metadata.protocol];
  const p = [...listed, model.metadata.protocol].find(isProtocolName);
  if (!p) throw new Error(`${model.name}: no supported protocol in ${listed.join(', ')}`);
  return p;
}

/** The wire quirks a particular service needs (S3's document names and GetBucketLocation); `{}` for most. */
export function serviceCodecOptions(model: ServiceModel): CodecOptions {
  return model.name === 's3' ? s3CodecOptions : {};
}

export function codecFor(model: ServiceModel, options: CodecOptions = {}): ProtocolCodec {
  const protocol = options.protocol ?? protocolOf(model);
  const base = CODECS[protocol];
  const overrides = options.overrides ?? {};
  const roots = options.xmlRootNames ?? {};
  if (Object.keys(overrides).length === 0 && (protocol !== 'rest-xml' || Object.keys(roots).length === 0)) return base;
  return {
    ...base,
    serialize(m, op, output, requestId) {
      const root = Object.hasOwn(roots, op.name) ? roots[op.name] : undefined;
      const next = (out: unknown) =>
        root !== undefined && protocol === 'rest-xml'
          ? serializeRestXmlOutput(m, op, out, requestId, root)
          : base.serialize(m, op, out, requestId);
      const o = Object.hasOwn(overrides, op.name) ? overrides[op.name] : undefined;
      return o ? o(output, requestId, next) : next(output);
    },
  };
}

/**
 * For a model that lists several protocols (CloudWatch: RPC v2 CBOR, awsJson 1.0, awsQuery), the codec of the
 * protocol a request speaks: the `smithy-protocol` header, an `X-Amz-Target`, or a form/`Action=` request;
 * `fallback` (the model's default codec) otherwise and for single-protocol models.
 */
export function codecForRequest(model: Pick<ServiceModel, 'metadata'>, req: WireRequest, fallback: ProtocolCodec): ProtocolCodec {
  const listed = model.metadata.protocols;
  if (!listed || listed.length < 2) return fallback;
  if (isRpcV2Cbor(req) && listed.includes('smithy-rpc-v2-cbor')) return cborCodec;
  if (req.headers['x-amz-target'] !== undefined && listed.includes('json')) return jsonCodec;
  const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  if ((form || req.query.some(([k]) => k === 'Action')) && listed.includes('query')) return queryCodec;
  return fallback;
}
