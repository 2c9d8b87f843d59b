/**
 * The protocol layer's public surface for the gateway: pick a codec for a model, resolve and parse a
 * request, validate the input, serialize an output or an AwsError. Header names in `WireResponse`s are
 * lower-case.
 */
export { codecFor, protocolOf } from './codec.js';
export type { CodecOptions, ProtocolCodec, ProtocolName, SerializeOverride } from './codec.js';
export { validateInput, validationError } from './validate.js';
