/**
 * The AWS service model (botocore `service-2.json`) as mlzone uses it: the same field names as the JSON,
 * with shape references resolved into objects so that codecs and the validator walk a graph instead of
 * looking names up per request. Graphs may be cyclic (a structure can contain itself through a list).
 */

/** The raw JSON, as stored under `specs/<svc>/service-2.json`. */
export interface RawServiceModel {
  readonly metadata: ServiceMetadata;
  readonly operations: Readonly<Record<string, RawOperation>>;
  readonly shapes: Readonly<Record<string, RawShape>>;
  readonly version?: string;
}

export interface RawShapeRef extends MemberTraits {
  readonly shape: string;
  readonly resultWrapper?: string;
}

export interface RawOperation {
  readonly name: string;
  readonly http: HttpTrait;
  readonly input?: RawShapeRef;
  readonly output?: RawShapeRef;
  readonly errors?: readonly RawShapeRef[];
  readonly idempotent?: boolean;
  readonly endpoint?: { readonly hostPrefix?: string };
  readonly deprecated?: boolean;
  readonly authtype?: string;
  readonly requestcompression?: { readonly encodings: readonly string[] };
}

export interface RawShape extends ShapeTraits {
  readonly type: ShapeType;
  readonly members?: Readonly<Record<string, RawShapeRef>>;
  readonly member?: RawShapeRef;
  readonly key?: RawShapeRef;
  readonly value?: RawShapeRef;
}

export interface ServiceMetadata {
  readonly apiVersion: string;
  readonly endpointPrefix: string;
  /** `query` | `json` | `rest-json` | `rest-xml` | `ec2` | `smithy-rpc-v2-cbor`. */
  readonly protocol: string;
  readonly protocols?: readonly string[];
  readonly jsonVersion?: string;
  readonly targetPrefix?: string;
  readonly signingName?: string;
  readonly serviceId: string;
  readonly serviceFullName?: string;
  readonly xmlNamespace?: string;
  readonly globalEndpoint?: string;
  readonly uid?: string;
  /** Present (as `{}`) on JSON services that keep the error codes of their former awsQuery protocol. */
  readonly awsQueryCompatible?: Readonly<Record<string, unknown>>;
}

export interface HttpTrait {
  readonly method: string;
  readonly requestUri: string;
  readonly responseCode?: number;
}

export type ShapeType =
  | 'structure'
  | 'list'
  | 'map'
  | 'string'
  | 'integer'
  | 'long'
  | 'float'
  | 'double'
  | 'boolean'
  | 'timestamp'
  | 'blob';

export type Location = 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';

export type TimestampFormat = 'iso8601' | 'rfc822' | 'unixTimestamp';

export interface XmlNamespace {
  readonly uri: string;
  readonly prefix?: string;
}

/** Traits a reference to a shape (a structure member, a list member, a map key/value) may carry. */
export interface MemberTraits {
  readonly location?: Location;
  readonly locationName?: string;
  readonly flattened?: boolean;
  readonly xmlNamespace?: XmlNamespace;
  readonly xmlAttribute?: boolean;
  readonly streaming?: boolean;
  readonly timestampFormat?: TimestampFormat;
  readonly idempotencyToken?: boolean;
  readonly jsonvalue?: boolean;
  readonly hostLabel?: boolean;
  /** A member of an event structure carried as the event message's payload (blob, string or structure). */
  readonly eventpayload?: boolean;
  /** A member of an event structure carried as an event message header named after the member. */
  readonly eventheader?: boolean;
  readonly deprecated?: boolean;
  readonly box?: boolean;
}

export interface ErrorTrait {
  readonly code?: string;
  readonly httpStatusCode?: number;
  readonly senderFault?: boolean;
}

/** Traits of a shape itself. */
export interface ShapeTraits {
  readonly required?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly payload?: string;
  readonly locationName?: string;
  readonly flattened?: boolean;
  readonly xmlNamespace?: XmlNamespace;
  readonly xmlOrder?: readonly string[];
  readonly streaming?: boolean;
  readonly timestampFormat?: TimestampFormat;
  readonly error?: ErrorTrait;
  readonly exception?: boolean;
  readonly fault?: boolean;
  readonly document?: boolean;
  readonly union?: boolean;
  /** A structure that is one kind of event of an event stream. */
  readonly event?: boolean;
  /** A union whose members are the events (and exception events) of an event stream. */
  readonly eventstream?: boolean;
  readonly sensitive?: boolean;
}

/** A reference to a shape with the traits the reference adds (`locationName`, `location`, …). */
export interface Member extends MemberTraits {
  /** The member name in the parent structure (`RoleName`); `member`, `key` or `value` for lists and maps. */
  readonly name: string;
  readonly shape: Shape;
}

interface ShapeBase extends ShapeTraits {
  /** The shape's name in the model (`AssumeRoleRequest`). */
  readonly name: string;
}

export interface StructureShape extends ShapeBase {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, Member>>;
  /** Member names in model order (same as `Object.keys(members)`), for hot loops. */
  readonly memberNames: readonly string[];
  readonly requiredSet: ReadonlySet<string>;
}

export interface ListShape extends ShapeBase {
  readonly type: 'list';
  readonly member: Member;
}

export interface MapShape extends ShapeBase {
  readonly type: 'map';
  readonly key: Member;
  readonly value: Member;
}

export interface ScalarShape extends ShapeBase {
  readonly type: 'string' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob';
}

export type Shape = StructureShape | ListShape | MapShape | ScalarShape;

export interface OperationModel {
  readonly name: string;
  readonly http: HttpTrait;
  readonly input?: StructureShape;
  readonly output?: StructureShape;
  /** awsQuery: the element wrapping the output members (`AssumeRoleResult`). */
  readonly resultWrapper?: string;
  readonly errors: readonly StructureShape[];
  readonly idempotent: boolean;
  readonly deprecated: boolean;
  /** `none` for operations clients send unsigned (STS AssumeRoleWithWebIdentity / AssumeRoleWithSAML). */
  readonly authtype?: string;
  /** Content encodings clients may compress the request body with (CloudWatch PutMetricData: gzip). */
  readonly requestCompression?: readonly string[];
}

export interface Paginator {
  readonly input_token?: string | readonly string[];
  readonly output_token?: string | readonly string[];
  readonly limit_key?: string;
  readonly result_key?: string | readonly string[];
  readonly more_results?: string;
}

/**
 * Per-model memo for data derived from the model (compiled URI templates, regexes, member tables). Keys
 * are model objects (an operation, a shape), so the memo lives and dies with the model: no global state.
 */
export interface ModelCache {
  get<T>(owner: object, key: string, make: () => T): T;
}

export interface ServiceModel {
  /** The directory name under `specs/` (`sts`, `s3`, …). */
  readonly name: string;
  readonly metadata: ServiceMetadata;
  readonly operations: Readonly<Record<string, OperationModel>>;
  readonly shapes: Readonly<Record<string, Shape>>;
  /** Error shapes by the code they put on the wire (`error.code`, else the shape name). */
  readonly errorsByCode: ReadonlyMap<string, StructureShape>;
  readonly paginators: Readonly<Record<string, Paginator>>;
  readonly cache: ModelCache;
}

/** The wire code of an error shape: `error.code` when present, else the shape name. */
export function errorCode(shape: StructureShape): string {
  return shape.error?.code ?? shape.name;
}

/** The element/parameter name of a member on the wire: `locationName`, else the member name. */
export function wireName(member: Member): string {
  return member.locationName ?? member.name;
}
