/**
 * restXml (S3): routed by method + URI template (path-style: `/bucket/key`; the gateway rewrites
 * virtual-host requests to that form). Members bound to labels, query, headers and `x-amz-meta-*`; a
 * structure payload is an XML document whose root is named by the member's locationName (or the shape's),
 * a blob/streaming payload is the raw body. Responses carry `x-amz-request-id` and `x-amz-id-2`; errors are
 * `<Error><Code/><Message/>…fields<RequestId/><HostId/></Error>` (no body for HEAD).
 */
import type { AwsError } from '../../core/errors.js';
import type { WireRequest, WireResponse } from '../../core/wire.js';
import type { Member, OperationModel, ServiceModel, StructureShape, XmlNamespace } from '../../spec/model.js';
import type { ProtocolCodec } from '../codec.js';
import { bindingsOf, readBindings, writeBindings } from '../rest/bindings.js';
import { isRawPayload, isStreamPayload, rawPayloadInput, rawPayloadOutput } from '../rest/body.js';
import { matchRoute, routeFor, routeLabels } from '../rest/router.js';
import { malformedFactory } from '../shared/values.js';
import { writeErrorFields } from '../xml/error-fields.js';
import { XmlSyntaxError, parseXml } from '../xml/reader.js';
import type { XmlElement } from '../xml/reader.js';
import { readStructure, readValue } from '../xml/shape-reader.js';
import { structureAttributes, writeMembers, writeValue } from '../xml/shape-writer.js';
import { XML_DECLARATION, escapeXml, leaf } from '../xml/writer.js';

const malformedXml = malformedFactory('MalformedXML');
const invalidArgument = malformedFactory('InvalidArgument');
const XML_TYPE = 'application/xml';

/** The namespace of response documents: the model's, else the one its members declare, else derived. */
export function restXmlNamespace(model: ServiceModel): XmlNamespace {
  return model.cache.get(model, 'rest-xml.ns', () => {
    if (model.metadata.xmlNamespace) return { uri: model.metadata.xmlNamespace };
    for (const s of Object.values(model.shapes)) {
      if (s.type !== 'structure') continue;
      for (const mn of s.memberNames) {
        const ns = s.members[mn].xmlNamespace;
        if (ns && !ns.prefix) return { uri: ns.uri };
      }
    }
    const md = model.metadata;
    return { uri: `https://${md.endpointPrefix}.amazonaws.com/doc/${md.apiVersion}/` };
  });
}

function parseBody(req: WireRequest): XmlElement | undefined {
  if (req.body.length === 0) return undefined;
  try {
    return parseXml(req.body.toString('utf8'));
  } catch (e) {
    if (e instanceof XmlSyntaxError) {
      throw malformedXml('The XML you provided was not well-formed or did not validate against our published schema');
    }
    throw e;
  }
}

/** A document whose root element is `name`, holding a structure value. */
function structureDocument(model: ServiceModel, member: Member | undefined, shape: StructureShape, name: string, value: object): string {
  const v = value as Record<string, unknown>;
  const out: string[] = [XML_DECLARATION, `<${name}${structureAttributes(member, shape, v, restXmlNamespace(model))}>`];
  writeMembers(out, shape, v);
  out.push(`</${name}>`);
  return out.join('');
}

function requestHeaders(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': Buffer.from(`mlzone/${requestId}`).toString('base64') };
}

/**
 * Output → response. `rootName` names the document element when the output has body members and no payload
 * (default: the output shape's locationName, else its name; clients ignore it, S3 spells it
 * `ListBucketResult`, `ListAllMyBucketsResult`, …).
 */
export function serializeRestXmlOutput(
  model: ServiceModel,
  op: OperationModel,
  output: unknown,
  requestId: string,
  rootName?: string,
): WireResponse {
  const headers = requestHeaders(requestId);
  let status = op.http.responseCode ?? 200;
  let body: Buffer | string = '';
  const value = (output && typeof output === 'object' ? output : {}) as Record<string, unknown>;
  const shape = op.output;
  if (shape) {
    const b = bindingsOf(model, shape);
    status = writeBindings(b, value, headers) ?? status;
    const p = b.payload;
    if (p && isRawPayload(p) && isStreamPayload(value[p.name])) {
      headers['content-type'] ??= 'application/octet-stream';
      return { status, headers, body: '', bodyStream: value[p.name] as AsyncIterable<Uint8Array> };
    } else if (p && isRawPayload(p)) {
      body = rawPayloadOutput(p, value[p.name]);
      if (body.length > 0 || p.shape.type === 'string') headers['content-type'] ??= p.shape.type === 'string' ? 'text/plain' : 'application/octet-stream';
    } else if (p) {
      const v = value[p.name];
      if (v && typeof v === 'object' && p.shape.type === 'structure') {
        body = structureDocument(model, p, p.shape, p.locationName ?? p.shape.locationName ?? p.shape.name, v);
      } else if (v !== undefined && v !== null) {
        const out: string[] = [XML_DECLARATION];
        writeValue(out, p, p.shape, v, p.locationName ?? p.shape.locationName ?? p.shape.name);
        body = out.join('');
      }
      if (body !== '') headers['content-type'] ??= XML_TYPE;
    } else if (b.body.length > 0) {
      body = structureDocument(model, undefined, shape, rootName ?? shape.locationName ?? shape.name, value);
      headers['content-type'] ??= XML_TYPE;
    }
  }
  return { status, headers, body };
}

function serializeError(model: ServiceModel, op: OperationModel | undefined, err: AwsError, requestId: string): WireResponse {
  const headers = requestHeaders(requestId);
  const shape = model.errorsByCode.get(err.code);
  if (shape) writeBindings(bindingsOf(model, shape), err.fields, headers);
  if (op?.http.method.toUpperCase() === 'HEAD') return { status: err.status, headers, body: '' };
  headers['content-type'] = XML_TYPE;
  const out: string[] = [XML_DECLARATION, '<Error>', leaf('Code', err.code), leaf('Message', err.message)];
  writeErrorFields(out, model, err);
  out.push(leaf('RequestId', requestId), `<HostId>${escapeXml(headers['x-amz-id-2'])}</HostId>`, '</Error>');
  return { status: err.status, headers, body: out.join('') };
}

export const restXmlCodec: ProtocolCodec = {
  protocol: 'rest-xml',
  resolveOperation: (req, model) => matchRoute(req, model)?.op,
  parse(req, model, op) {
    const out: Record<string, unknown> = {};
    if (!op.input) return out;
    const b = bindingsOf(model, op.input);
    readBindings(b, req, routeLabels(routeFor(model, op), req), out, invalidArgument);
    const p = b.payload;
    if (p) {
      if (isRawPayload(p)) {
        const v = rawPayloadInput(p, req);
        if (v !== undefined) out[p.name] = v;
      } else {
        const root = parseBody(req);
        if (root) out[p.name] = readValue(p, root, malformedXml);
      }
    } else if (b.body.length > 0) {
      const root = parseBody(req);
      if (root) Object.assign(out, readStructure(op.input, root, malformedXml));
    }
    return out;
  },
  serialize: (model, op, output, requestId) => serializeRestXmlOutput(model, op, output, requestId),
  serializeError,
};
