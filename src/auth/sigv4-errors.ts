/**
 * Every error the SigV4 / SigV2 verifiers (and the gateway's credential lookup) can produce, per wire flavor,
 * in one table. Codes, statuses and messages copy what AWS returns where we have seen it:
 *
 * - `query` (STS, IAM, CloudFormation, SQS/CloudWatch in query mode; also non-S3 rest-xml): Coral's awsQuery
 *   codes. Clock skew is `SignatureDoesNotMatch` 403 with "Signature expired: …" — STS/IAM do not use EC2's
 *   `RequestExpired` (e.g. aws/aws-cli#6676, terraform's `sts:GetCallerIdentity: SignatureDoesNotMatch:
 *   Signature not yet current: …` status 403).
 * - `json` (awsJson1_0/1_1): the same conditions with the `…Exception` codes; `InvalidSignatureException` is a
 *   400 (aws/aws-sdk-js#254, the `__type` seen from ECR/Rekognition/DynamoDB).
 * - `rest-json` (Lambda-style): as `json`, but signature failures are 403.
 * - `s3`: S3's own codes (`SignatureDoesNotMatch` with StringToSign…, `RequestTimeTooSkewed`,
 *   `AuthorizationHeaderMalformed`, `AuthorizationQueryParametersError`, `XAmzContentSHA256Mismatch`).
 *
 * The JS SDK corrects its clock (from the response `Date`) on `RequestTimeTooSkewed`, `RequestExpired`,
 * `InvalidSignatureException`, `SignatureDoesNotMatch` and `RequestInTheFuture`; every skew error below uses one.
 */
import { AwsError } from '../core/errors.js';

/** Which error vocabulary a request gets; see {@link flavorOf}. */
export type AuthErrorFlavor = 'query' | 'json' | 'rest-json' | 's3';

/** The wire style of the service being called, as the gateway routes it. */
export type AuthStyle = 'query' | 'json' | 'rest-json' | 'rest-xml';

export interface AuthErrorStyle {
  readonly style: AuthStyle;
  /** true when the service is S3 (its own error vocabulary and canonicalisation rules). */
  readonly s3: boolean;
}

export function flavorOf(s: AuthErrorStyle): AuthErrorFlavor {
  if (s.s3) return 's3';
  switch (s.style) {
    case 'query':
    case 'rest-xml':
      return 'query';
    case 'json':
      return 'json';
    case 'rest-json':
      return 'rest-json';
    default: {
      const never: never = s.style;
      return never;
    }
  }
}

/** The details each error kind needs to render its message and fields. */
export interface AuthErrorDetails {
  /** The computed signature differs from the one sent. */
  signatureMismatch: {
    accessKeyId: string;
    signatureProvided: string;
    stringToSign: string;
    canonicalRequest: string;
  };
  /** Header form: request time more than 15 min before the server's clock. */
  requestExpired: { amzDate: string; now: number };
  /** Header form: request time more than 15 min after the server's clock. */
  requestNotYetValid: { amzDate: string; now: number };
  /** Authorization header present but not parseable (`detail` is the Coral sentence, `header` the raw value). */
  malformedAuthHeader: { detail: string; header: string };
  /** The Credential component (header or X-Amz-Credential) does not have five `/` parts ending in aws4_request. */
  malformedCredential: { credential: string; presigned: boolean };
  /** Authorization header with a scheme other than AWS4-HMAC-SHA256. */
  unsupportedAuthScheme: { header: string };
  /** Presigned URL lacking some of the X-Amz-* parameters. */
  missingQueryAuthParams: { missing: readonly string[] };
  /** X-Amz-Algorithm is not AWS4-HMAC-SHA256. */
  unsupportedQueryAlgorithm: { algorithm: string };
  /** X-Amz-Expires not an integer in 0..604800. */
  invalidExpires: { expires: string; reason: 'nan' | 'negative' | 'too-large' };
  /** Both an Authorization header and presign query parameters. */
  multipleAuthMechanisms: Record<string, never>;
  /** Header form: neither X-Amz-Date nor Date, or X-Amz-Date not in ISO 8601 basic format. */
  missingDate: { got?: string };
  /** Presigned: X-Amz-Date not in ISO 8601 basic format. */
  invalidQueryDate: { got: string };
  /** Credential scope date ≠ the date part of X-Amz-Date. */
  scopeDateMismatch: { scopeDate: string; amzDate: string; presigned: boolean };
  /** `host` is not among SignedHeaders. */
  hostNotSigned: Record<string, never>;
  /** A header named in SignedHeaders is absent from the request (Coral only; S3 signs it as empty). */
  signedHeaderMissing: { name: string };
  /** S3: x-amz-* headers present but not signed. */
  headersNotSigned: { names: readonly string[] };
  /** S3 header form without x-amz-content-sha256. */
  missingContentSha256: Record<string, never>;
  /** x-amz-content-sha256 is neither a hex SHA-256 nor one of the literal values. */
  invalidContentSha256: { value: string };
  /** x-amz-content-sha256 is a hash, but not the body's. */
  contentSha256Mismatch: { claimed: string; computed: string };
  /** Presigned URL past X-Amz-Date + X-Amz-Expires (or SigV2 `Expires`). */
  presignExpired: { expiresAt: number; now: number; expiresSeconds?: number };
  /** Presigned URL whose X-Amz-Date is more than 15 min ahead. */
  presignNotYetValid: { amzDate: string; now: number };
  /** SigV2 presign with some of AWSAccessKeyId / Signature / Expires missing or Expires not a number. */
  malformedSigV2Presign: { expires?: string };
  /** The access key id is unknown (gateway). */
  unknownAccessKey: { accessKeyId: string };
  /** The session token does not belong to the access key (gateway). */
  invalidSessionToken: Record<string, never>;
  /** The session token expired (gateway). */
  expiredSessionToken: Record<string, never>;
  /** No credentials at all where they are required (gateway). */
  missingAuthentication: Record<string, never>;
}

export type AuthErrorKind = keyof AuthErrorDetails;

interface Spec<D> {
  readonly code: string;
  readonly status: number;
  readonly message: string | ((d: D) => string);
  readonly fields?: (d: D) => Record<string, unknown>;
}

type Table = { readonly [K in AuthErrorKind]: { readonly [F in AuthErrorFlavor]: Spec<AuthErrorDetails[K]> } };

const MAX_SKEW_MS = 15 * 60 * 1000;

/** `yyyymmddThhmmssZ` for epoch milliseconds. */
export function amzDateOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** `2006-01-02T15:04:05Z`, as S3 prints ServerTime and Expires. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** S3 prints StringToSignBytes / CanonicalRequestBytes as space-separated two-digit hex. */
function hexBytes(s: string): string {
  const b = Buffer.from(s, 'utf8');
  const out: string[] = new Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[i].toString(16).padStart(2, '0');
  return out.join(' ');
}

const CORAL_SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const S3_SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
const CREDENTIAL_FORMAT = 'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';
const TOKEN_INVALID = 'The security token included in the request is invalid.';
const TOKEN_EXPIRED = 'The security token included in the request is expired';

const expiredMessage = (d: { amzDate: string; now: number }) =>
  `Signature expired: ${d.amzDate} is now earlier than ${amzDateOf(d.now - MAX_SKEW_MS)} (${amzDateOf(d.now)} - 15 min.)`;
const notYetMessage = (d: { amzDate: string; now: number }) =>
  `Signature not yet current: ${d.amzDate} is still later than ${amzDateOf(d.now + MAX_SKEW_MS)} (${amzDateOf(d.now)} + 15 min.)`;
const skewFields = (d: { amzDate: string; now: number }) => ({
  RequestTime: d.amzDate,
  ServerTime: isoSeconds(d.now),
  MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
});
const credentialMessage = (d: { credential: string }) =>
  `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${d.credential}'`;
const missingQueryMessage = (d: { missing: readonly string[] }) =>
  `${d.missing.map((p) => `AWS query-string parameters must include '${p}'. `).join('')}Re-examine the query-string parameters.`;
const coralDateMessage = (d: { got?: string }) =>
  d.got === undefined
    ? "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
    : `Date must be in ISO-8601 'basic format'. Got '${d.got}'. See http://en.wikipedia.org/wiki/ISO_8601`;
const scopeDateMessage = (d: { scopeDate: string; amzDate: string }) =>
  `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${d.scopeDate}' != '${d.amzDate.slice(0, 8)}', from '${d.amzDate}'.`;
const expiresMessage = (d: { reason: 'nan' | 'negative' | 'too-large' }) =>
  d.reason === 'nan'
    ? 'X-Amz-Expires should be a number'
    : d.reason === 'negative'
      ? 'X-Amz-Expires must be non-negative'
      : 'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds';
const HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";

/** Same spec for json and rest-json except the status of signature-class errors. */
function coral<D>(queryCode: string, jsonCode: string, message: Spec<D>['message'], status: { query: number; json: number; restJson: number }) {
  return {
    query: { code: queryCode, status: status.query, message },
    json: { code: jsonCode, status: status.json, message },
    'rest-json': { code: jsonCode, status: status.restJson, message },
  } as const;
}
const SIG_STATUS = { query: 403, json: 400, restJson: 403 };
const INCOMPLETE_STATUS = { query: 400, json: 400, restJson: 400 };
const TOKEN_STATUS = { query: 403, json: 400, restJson: 403 };

/** The table. TypeScript makes every kind define every flavor. */
export const AUTH_ERRORS: Table = {
  signatureMismatch: {
    ...coral('SignatureDoesNotMatch', 'InvalidSignatureException', CORAL_SIGNATURE_MISMATCH, SIG_STATUS),
    s3: {
      code: 'SignatureDoesNotMatch',
      status: 403,
      message: S3_SIGNATURE_MISMATCH,
      fields: (d) => ({
        AWSAccessKeyId: d.accessKeyId,
        StringToSign: d.stringToSign,
        SignatureProvided: d.signatureProvided,
        StringToSignBytes: hexBytes(d.stringToSign),
        ...(d.canonicalRequest === ''
          ? {}
          : { CanonicalRequest: d.canonicalRequest, CanonicalRequestBytes: hexBytes(d.canonicalRequest) }),
      }),
    },
  },
  requestExpired: {
    ...coral('SignatureDoesNotMatch', 'InvalidSignatureException', expiredMessage, SIG_STATUS),
    s3: {
      code: 'RequestTimeTooSkewed',
      status: 403,
      message: 'The difference between the request time and the current time is too large.',
      fields: skewFields,
    },
  },
  requestNotYetValid: {
    ...coral('SignatureDoesNotMatch', 'InvalidSignatureException', notYetMessage, SIG_STATUS),
    s3: {
      code: 'RequestTimeTooSkewed',
      status: 403,
      message: 'The difference between the request time and the current time is too large.',
      fields: skewFields,
    },
  },
  malformedAuthHeader: {
    ...coral('IncompleteSignature', 'IncompleteSignatureException', (d) => d.detail, INCOMPLETE_STATUS),
    s3: {
      code: 'AuthorizationHeaderMalformed',
      status: 400,
      message:
        'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
    },
  },
  malformedCredential: {
    ...coral('IncompleteSignature', 'IncompleteSignatureException', credentialMessage, INCOMPLETE_STATUS),
    s3: {
      code: 'AuthorizationHeaderMalformed',
      status: 400,
      message: (d) =>
        d.presigned
          ? `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; ${CREDENTIAL_FORMAT}`
          : `The authorization header is malformed; the Credential is mal-formed; ${CREDENTIAL_FORMAT}`,
    },
  },
  unsupportedAuthScheme: {
    ...coral(
      'IncompleteSignature',
      'IncompleteSignatureException',
      (d) =>
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        `Authorization header requires 'SignedHeaders' parameter. Authorization=${d.header}`,
      INCOMPLETE_STATUS,
    ),
    s3: {
      code: 'InvalidRequest',
      status: 400,
      message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    },
  },
  missingQueryAuthParams: {
    ...coral('IncompleteSignature', 'IncompleteSignatureException', missingQueryMessage, INCOMPLETE_STATUS),
    s3: {
      code: 'AuthorizationQueryParametersError',
      status: 400,
      message:
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    },
  },
  unsupportedQueryAlgorithm: {
    ...coral(
      'IncompleteSignature',
      'IncompleteSignatureException',
      (d) => `Unsupported AWS 'algorithm': '${d.algorithm}'. X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`,
      INCOMPLETE_STATUS,
    ),
    s3: { code: 'AuthorizationQueryParametersError', status: 400, message: 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"' },
  },
  invalidExpires: {
    ...coral('IncompleteSignature', 'IncompleteSignatureException', expiresMessage, INCOMPLETE_STATUS),
    s3: { code: 'AuthorizationQueryParametersError', status: 400, message: expiresMessage },
  },
  multipleAuthMechanisms: {
    ...coral(
      'IncompleteSignature',
      'IncompleteSignatureException',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
      INCOMPLETE_STATUS,
    ),
    s3: {
      code: 'InvalidArgument',
      status: 400,
      message:
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      fields: () => ({ ArgumentName: 'Authorization', ArgumentValue: '' }),
    },
  },
  missingDate: {
    ...coral('IncompleteSignature', 'IncompleteSignatureException', coralDateMessage, INCOMPLETE_STATUS),
    s3: { code: 'AccessDenied', status: 403, message: 'AWS authentication requires a valid Date or x-amz-date header' },
  },
  invalidQueryDate: {
    ...coral('IncompleteSignature', 'IncompleteSignatureException', coralDateMessage, INCOMPLETE_STATUS),
    s3: {
      code: 'AuthorizationQueryParametersError',
      status: 400,
      message: 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"',
    },
  },
  scopeDateMismatch: {
    ...coral('SignatureDoesNotMatch', 'InvalidSignatureException', scopeDateMessage, SIG_STATUS),
    s3: {
      code: 'AuthorizationHeaderMalformed',
      status: 400,
      message: (d) =>
        d.presigned
          ? 'Invalid credential date. Date is not the same as X-Amz-Date.'
          : 'The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.',
    },
  },
  hostNotSigned: {
    ...coral('SignatureDoesNotMatch', 'InvalidSignatureException', HOST_NOT_SIGNED, SIG_STATUS),
    s3: {
      code: 'AccessDenied',
      status: 403,
      message: 'There were headers present in the request which were not signed',
      fields: () => ({ HeadersNotSigned: 'host' }),
    },
  },
  signedHeaderMissing: {
    ...coral(
      'IncompleteSignature',
      'IncompleteSignatureException',
      (d) => `'${d.name}' is named as a SignedHeader, but it does not exist in the HTTP request.`,
      INCOMPLETE_STATUS,
    ),
    s3: { code: 'SignatureDoesNotMatch', status: 403, message: S3_SIGNATURE_MISMATCH },
  },
  headersNotSigned: {
    ...coral('SignatureDoesNotMatch', 'InvalidSignatureException', CORAL_SIGNATURE_MISMATCH, SIG_STATUS),
    s3: {
      code: 'AccessDenied',
      status: 403,
      message: 'There were headers present in the request which were not signed',
      fields: (d) => ({ HeadersNotSigned: d.names.join(', ') }),
    },
  },
  missingContentSha256: {
    ...coral('SignatureDoesNotMatch', 'InvalidSignatureException', CORAL_SIGNATURE_MISMATCH, SIG_STATUS),
    s3: { code: 'InvalidRequest', status: 400, message: 'Missing required header for this request: x-amz-content-sha256' },
  },
  invalidContentSha256: {
    ...coral('SignatureDoesNotMatch', 'InvalidSignatureException', CORAL_SIGNATURE_MISMATCH, SIG_STATUS),
    s3: {
      code: 'InvalidArgument',
      status: 400,
      message:
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      fields: (d) => ({ ArgumentName: 'x-amz-content-sha256', ArgumentValue: d.value }),
    },
  },
  // A Coral service hashes the body itself, so a body that differs from the signed hash is a signature mismatch there.
  contentSha256Mismatch: {
    ...coral('SignatureDoesNotMatch', 'InvalidSignatureException', CORAL_SIGNATURE_MISMATCH, SIG_STATUS),
    s3: {
      code: 'XAmzContentSHA256Mismatch',
      status: 400,
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
      fields: (d) => ({ ClientComputedContentSHA256: d.claimed, S3ComputedContentSHA256: d.computed }),
    },
  },
  presignExpired: {
    ...coral(
      'SignatureDoesNotMatch',
      'InvalidSignatureException',
      (d) => `Signature expired: ${amzDateOf(d.expiresAt)} is now earlier than ${amzDateOf(d.now)}.`,
      SIG_STATUS,
    ),
    s3: {
      code: 'AccessDenied',
      status: 403,
      message: 'Request has expired',
      fields: (d) => ({
        ...(d.expiresSeconds === undefined ? {} : { 'X-Amz-Expires': String(d.expiresSeconds) }),
        Expires: isoSeconds(d.expiresAt),
        ServerTime: isoSeconds(d.now),
      }),
    },
  },
  presignNotYetValid: {
    ...coral('SignatureDoesNotMatch', 'InvalidSignatureException', notYetMessage, SIG_STATUS),
    s3: { code: 'AccessDenied', status: 403, message: 'Request is not valid yet' },
  },
  malformedSigV2Presign: {
    ...coral(
      'IncompleteSignature',
      'IncompleteSignatureException',
      'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters',
      INCOMPLETE_STATUS,
    ),
    s3: {
      code: 'AccessDenied',
      status: 403,
      message: (d) =>
        d.expires === undefined
          ? 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters'
          : `Invalid date (should be seconds since epoch): ${d.expires}`,
    },
  },
  unknownAccessKey: {
    ...coral('InvalidClientTokenId', 'UnrecognizedClientException', TOKEN_INVALID, TOKEN_STATUS),
    s3: {
      code: 'InvalidAccessKeyId',
      status: 403,
      message: 'The AWS Access Key Id you provided does not exist in our records.',
      fields: (d) => ({ AWSAccessKeyId: d.accessKeyId }),
    },
  },
  invalidSessionToken: {
    ...coral('InvalidClientTokenId', 'UnrecognizedClientException', TOKEN_INVALID, TOKEN_STATUS),
    s3: { code: 'InvalidToken', status: 400, message: 'The provided token is malformed or otherwise invalid.' },
  },
  expiredSessionToken: {
    ...coral('ExpiredToken', 'ExpiredTokenException', TOKEN_EXPIRED, TOKEN_STATUS),
    s3: { code: 'ExpiredToken', status: 400, message: 'The provided token has expired.' },
  },
  missingAuthentication: {
    ...coral('MissingAuthenticationToken', 'MissingAuthenticationTokenException', 'Request is missing Authentication Token', {
      query: 403,
      json: 400,
      restJson: 403,
    }),
    s3: { code: 'AccessDenied', status: 403, message: 'Access Denied' },
  },
};

/**
 * Builds the AwsError for `kind` in the caller's flavor.
 * @example throw authError('requestExpired', flavorOf(opts), { amzDate, now })
 */
export function authError<K extends AuthErrorKind>(kind: K, flavor: AuthErrorFlavor, details: AuthErrorDetails[K]): AwsError {
  const spec = AUTH_ERRORS[kind][flavor] as Spec<AuthErrorDetails[K]>;
  const message = typeof spec.message === 'string' ? spec.message : spec.message(details);
  return new AwsError(spec.code, message, { status: spec.status, fields: spec.fields?.(details) });
}
