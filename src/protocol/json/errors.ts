/** Error bodies and headers shared by awsJson and restJson. */
import type { AwsError } from '../../core/errors.js';
import type { ServiceModel } from '../../spec/model.js';
import { writeJsonValue } from './values.js';

/**
 * `{message, ...fields}` with fields typed by the error shape when the model knows the code. The message key
 * follows the shape (`Message` when the shape spells it so), `message` otherwise.
 */
export function jsonErrorBody(model: ServiceModel, err: AwsError): Record<string, unknown> {
  const shape = model.errorsByCode.get(err.code);
  const messageKey = shape && Object.hasOwn(shape.members, 'Message') && !Object.hasOwn(shape.members, 'message') ? 'Message' : 'message';
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err.fields)) {
    const m = shape && Object.hasOwn(shape.members, k) ? shape.members[k] : undefined;
    if (m?.location) continue;
    const w = m ? writeJsonValue(m, m.shape, v) : v instanceof Date ? v.getTime() / 1000 : v;
    if (w !== undefined) body[m?.locationName ?? k] = w;
  }
  body[messageKey] = err.message;
  return body;
}

/**
 * The `__type` of an error: in awsQueryCompatible services the code on the wire is the legacy query
 * code (sent in `x-amzn-query-error`) and `__type` names the error shape.
 */
export function jsonErrorType(model: ServiceModel, err: AwsError): string {
  if (!model.metadata.awsQueryCompatible) return err.code;
  return model.errorsByCode.get(err.code)?.name ?? err.code;
}
