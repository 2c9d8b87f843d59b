/**
 * awsQuery output and errors as XML:
 * `<OpResponse xmlns=ns><OpResult>…</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>`
 * and `<ErrorResponse xmlns=ns><Error><Type/><Code/><Message/>…</Error><RequestId/></ErrorResponse>`.
 */
import type { AwsError } from '../../core/errors.js';
import type { WireResponse } from '../../core/wire.js';
import type { OperationModel, ServiceModel } from '../../spec/model.js';
import { writeErrorFields } from '../xml/error-fields.js';
import { writeMembers } from '../xml/shape-writer.js';
import { escapeXml, leaf } from '../xml/writer.js';

/** The model's XML namespace, or `https://<endpointPrefix>.amazonaws.com/doc/<apiVersion>/`. */
export function queryNamespace(model: ServiceModel): string {
  const md = model.metadata;
  return md.xmlNamespace ?? `https://${md.endpointPrefix}.amazonaws.com/doc/${md.apiVersion}/`;
}

const CONTENT_TYPE = 'text/xml';

export function serializeQueryOutput(model: ServiceModel, op: OperationModel, output: unknown, requestId: string): WireResponse {
  const out: string[] = [`<${op.name}Response xmlns="${escapeXml(queryNamespace(model))}">`];
  if (op.output) {
    const wrapper = op.resultWrapper ?? `${op.name}Result`;
    out.push(`<${wrapper}>`);
    if (output && typeof output === 'object') writeMembers(out, op.output, output as Record<string, unknown>);
    out.push(`</${wrapper}>`);
  }
  out.push('<ResponseMetadata>', leaf('RequestId', requestId), '</ResponseMetadata>', `</${op.name}Response>`);
  return {
    status: 200,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: out.join(''),
  };
}

export function serializeQueryError(model: ServiceModel, err: AwsError, requestId: string): WireResponse {
  const out: string[] = [
    `<ErrorResponse xmlns="${escapeXml(queryNamespace(model))}"><Error>`,
    leaf('Type', err.fault),
    leaf('Code', err.code),
    leaf('Message', err.message),
  ];
  writeErrorFields(out, model, err);
  out.push('</Error>', leaf('RequestId', requestId), '</ErrorResponse>');
  return {
    status: err.status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: out.join(''),
  };
}
