import type { ProtocolCodec } from '../codec.js';
import { parseQueryInput, queryAction } from './parse.js';
import { serializeQueryError, serializeQueryOutput } from './serialize.js';

/** awsQuery (STS, IAM): `Action=` routing, form-encoded input, XML output. */
export const queryCodec: ProtocolCodec = {
  protocol: 'query',
  resolveOperation(req, model) {
    const action = queryAction(req);
    return action === undefined || !Object.hasOwn(model.operations, action) ? undefined : model.operations[action];
  },
  parse: (req, _model, op) => parseQueryInput(req, op.input),
  serialize: serializeQueryOutput,
  serializeError: (model, _op, err, requestId) => serializeQueryError(model, err, requestId),
};
