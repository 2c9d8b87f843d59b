/**
 * restJson1 (Lake Formation, RAM, Lambda, SageMaker runtimes): routed by method + URI template; members
 * bound to labels, query, headers; the rest in a JSON body, or one payload member (a structure as JSON, a
 * blob/string as raw bytes, an event stream union as `application/vnd.amazon.eventstream` messages written
 * as the handler produces them). Errors: `x-amzn-ErrorType: <Code>` and `{"message":"…"}`.
 */
import type { ProtocolCodec } from '../codec.js';
import { jsonErrorBody } from '../json/errors.js';
import { malformedJson, parseJsonBody } from '../json/codec.js';
import { readJsonStructure, readJsonValue, writeJsonStructure, writeJsonValue } from '../json/values.js';
import { bindingsOf, readBindings, writeBindings } from '../rest/bindings.js';
import { EVENT_STREAM_CONTENT_TYPE, encodeEventStream, eventStreamShape, jsonEventBodies, type EventSource } from '../eventstream/index.js';
import { isRawPayload, isStreamPayload, rawPayloadInput, rawPayloadOutput } from '../rest/body.js';
import { matchRoute, routeFor, routeLabels } from '../rest/router.js';

const JSON_TYPE = 'application/json';

export const restJsonCodec: ProtocolCodec = {
  protocol: 'rest-json',
  resolveOperation: (req, model) => matchRoute(req, model)?.op,
  parse(req, model, op) {
    const out: Record<string, unknown> = {};
    if (!op.input) return out;
    const b = bindingsOf(model, op.input);
    readBindings(b, req, routeLabels(routeFor(model, op), req), out, malformedJson);
    const p = b.payload;
    if (p) {
      if (isRawPayload(p)) {
        const v = rawPayloadInput(p, req);
        if (v !== undefined) out[p.name] = v;
      } else if (req.body.length > 0) {
        out[p.name] = readJsonValue(p, p.shape, parseJsonBody(req.body), malformedJson);
      }
    } else if (b.body.length > 0) {
      Object.assign(out, readJsonStructure(op.input, parseJsonBody(req.body), malformedJson));
    }
    return out;
  },
  serialize(model, op, output, requestId) {
    const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
    let status = op.http.responseCode ?? 200;
    let body: Buffer | string = '';
    const value = (output && typeof output === 'object' ? output : {}) as Record<string, unknown>;
    if (op.output) {
      const b = bindingsOf(model, op.output);
      status = writeBindings(b, value, headers) ?? status;
      const p = b.payload;
      const events = eventStreamShape(p);
      if (p && events) {
        // The handler returns the events as an (async) iterable; each becomes one message, sent as produced.
        headers['content-type'] = EVENT_STREAM_CONTENT_TYPE;
        return { status, headers, body: '', bodyStream: encodeEventStream(events, value[p.name] as EventSource | undefined, jsonEventBodies) };
      }
      if (p && isRawPayload(p) && isStreamPayload(value[p.name])) {
        headers['content-type'] ??= p.shape.type === 'string' ? 'text/plain' : 'application/octet-stream';
        return { status, headers, body: '', bodyStream: value[p.name] as AsyncIterable<Uint8Array> };
      }
      if (p && isRawPayload(p)) {
        body = rawPayloadOutput(p, value[p.name]);
        headers['content-type'] ??= p.shape.type === 'string' ? 'text/plain' : 'application/octet-stream';
      } else if (p) {
        const v = value[p.name];
        body = v === undefined || v === null ? '' : JSON.stringify(writeJsonValue(p, p.shape, v));
        headers['content-type'] ??= JSON_TYPE;
      } else {
        body = JSON.stringify(writeJsonStructure(op.output, value));
        headers['content-type'] ??= JSON_TYPE;
      }
    }
    if (status === 204 || status === 304) {
      body = '';
      delete headers['content-type'];
    }
    return { status, headers, body };
  },
  serializeError(model, _op, err, requestId) {
    const headers: Record<string, string> = {
      'content-type': JSON_TYPE,
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': err.code,
    };
    const shape = model.errorsByCode.get(err.code);
    if (shape) writeBindings(bindingsOf(model, shape), err.fields, headers);
    return { status: err.status, headers, body: JSON.stringify(jsonErrorBody(model, err)) };
  },
};
