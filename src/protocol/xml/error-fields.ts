import type { AwsError } from '../../core/errors.js';
import type { ServiceModel } from '../../spec/model.js';
import { writeValue } from './shape-writer.js';
import { leaf } from './writer.js';

/** Extra error members, written with the error shape's types when the model knows the code. */
export function writeErrorFields(out: string[], model: ServiceModel, err: AwsError): void {
  const shape = model.errorsByCode.get(err.code);
  for (const [k, v] of Object.entries(err.fields)) {
    if (v === undefined || v === null || k === 'message' || k === 'Message' || k === 'Code') continue;
    const m = shape && Object.hasOwn(shape.members, k) ? shape.members[k] : undefined;
    if (m) writeValue(out, m, m.shape, v, m.locationName ?? k);
    else out.push(leaf(k, typeof v === 'string' ? v : JSON.stringify(v)));
  }
}
