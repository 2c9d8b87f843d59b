/**
 * awsJson 1.0 / 1.1: `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>` and a JSON body.
 * Errors: `x-amzn-ErrorType: <Code>` and `{"__type":"<Code>","message":"…"}`; services marked
 * `awsQueryCompatible` also get `x-amzn-query-error: <Code>;<Sender|Receiver>`.
 */
import type { WireRequest } from '../../core/wire.js';
import type { ServiceModel } from '../../spec/model.js';
import type { ProtocolCodec } from '../codec.js';
import { malformedFactory } from '../shared/values.js';
import { jsonErrorBody, jsonErrorType } from './errors.js';
import { readJsonStructure, writeJsonStructure } from './values.js';

export const malformedJson = malformedFactory('SerializationException');

/** The operation named by `X-Amz-Target` (`AmazonEC2ContainerRegistry_V20150921.DescribeRepositories`). */
export function targetOperation(req: WireRequest): string | undefined {
  const t = req.headers['x-amz-target'];
  if (!t) return undefined;
  const dot = t.lastIndexOf('.');
  return dot < 0 ? undefined : t.slice(dot + 1);
}

export function jsonContentType(model: ServiceModel): string {
  return `application/x-amz-json-${model.metadata.jsonVersion ?? '1.0'}`;
}

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw malformedJson('Request body is not valid JSON');
  }
}

export const jsonCodec: ProtocolCodec = {
  protocol: 'json',
  resolveOperation(req, model) {
    const name = targetOperation(req);
    return name === undefined || !Object.hasOwn(model.operations, name) ? undefined : model.operations[name];
  },
  parse(req, _model, op) {
    const body = parseJsonBody(req.body);
    return op.input ? readJsonStructure(op.input, body, malformedJson) : {};
  },
  serialize(model, op, output, requestId) {
    const body = op.output ? writeJsonStructure(op.output, output) : {};
    return {
      status: 200,
      headers: { 'content-type': jsonContentType(model), 'x-amzn-requestid': requestId },
      body: JSON.stringify(body),
    };
  },
  serializeError(model, _op, err, requestId) {
    const type = jsonErrorType(model, err);
    const headers: Record<string, string> = {
      'content-type': jsonContentType(model),
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': type,
    };
    if (model.metadata.awsQueryCompatible) headers['x-amzn-query-error'] = `${err.code};${err.fault}`;
    return { status: err.status, headers, body: JSON.stringify({ __type: type, ...jsonErrorBody(model, err) }) };
  },
};
