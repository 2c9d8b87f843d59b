import { describe, expect, it } from 'vitest';
import { AwsError } from '../core/errors.js';
import { AUTH_ERRORS, authError, flavorOf } from './sigv4-errors.js';
import type { AuthErrorDetails, AuthErrorFlavor, AuthErrorKind } from './sigv4-errors.js';

const FLAVORS: AuthErrorFlavor[] = ['query', 'json', 'rest-json', 's3'];
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

/** One sample of details per kind, so every cell of the table is rendered at least once. */
const SAMPLES: { [K in AuthErrorKind]: AuthErrorDetails[K] } = {
  signatureMismatch: { accessKeyId: 'AKID', signatureProvided: 'ab', stringToSign: 'sts', canonicalRequest: 'cr' },
  requestExpired: { amzDate: '20261129T114400Z', now: NOW },
  requestNotYetValid: { amzDate: '20261129T121600Z', now: NOW },
  malformedAuthHeader: { detail: 'detail', header: 'h' },
  malformedCredential: { credential: 'a/b', presigned: false },
  unsupportedAuthScheme: { header: 'Bearer x' },
  missingQueryAuthParams: { missing: ['X-Amz-Date'] },
  unsupportedQueryAlgorithm: { algorithm: 'AWS4-X' },
  invalidExpires: { expires: 'x', reason: 'nan' },
  multipleAuthMechanisms: {},
  missingDate: {},
  invalidQueryDate: { got: 'x' },
  scopeDateMismatch: { scopeDate: '20261128', amzDate: '20261129T120000Z', presigned: false },
  hostNotSigned: {},
  signedHeaderMissing: { name: 'x-a' },
  headersNotSigned: { names: ['x-amz-a'] },
  missingContentSha256: {},
  invalidContentSha256: { value: 'x' },
  contentSha256Mismatch: { claimed: 'a', computed: 'b' },
  presignExpired: { expiresAt: NOW, now: NOW + 1000, expiresSeconds: 60 },
  presignNotYetValid: { amzDate: '20261129T121600Z', now: NOW },
  malformedSigV2Presign: {},
  unknownAccessKey: { accessKeyId: 'AKID' },
  invalidSessionToken: {},
  expiredSessionToken: {},
  missingAuthentication: {},
};

/** Codes the JS SDK treats as clock skew (it then corrects its offset from the response Date header). */
const CLOCK_SKEW_CODES = ['RequestTimeTooSkewed', 'RequestExpired', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'RequestInTheFuture'];

describe('AUTH_ERRORS table', () => {
  const kinds = Object.keys(AUTH_ERRORS) as AuthErrorKind[];

  it('renders every kind in every flavor as a 4xx Sender AwsError', () => {
    expect(kinds.sort()).toEqual((Object.keys(SAMPLES) as AuthErrorKind[]).sort());
    for (const kind of kinds) {
      for (const flavor of FLAVORS) {
        const e = authError(kind, flavor, SAMPLES[kind] as never);
        expect(e).toBeInstanceOf(AwsError);
        expect(e.status >= 400 && e.status < 500, `${kind}/${flavor}`).toBe(true);
        expect(e.fault).toBe('Sender');
        expect(e.message.length, `${kind}/${flavor}`).toBeGreaterThan(0);
      }
    }
  });

  it('JSON flavors use the …Exception codes, query never does', () => {
    for (const kind of kinds) {
      expect(AUTH_ERRORS[kind].json.code, kind).toMatch(/Exception$/);
      expect(AUTH_ERRORS[kind]['rest-json'].code, kind).toBe(AUTH_ERRORS[kind].json.code);
      expect(AUTH_ERRORS[kind].query.code, kind).not.toMatch(/Exception$/);
    }
  });

  it('skew errors use codes the SDKs correct their clock on', () => {
    for (const kind of ['requestExpired', 'requestNotYetValid'] as const) {
      for (const flavor of FLAVORS) expect(CLOCK_SKEW_CODES).toContain(AUTH_ERRORS[kind][flavor].code);
    }
  });

  it('maps styles to flavors', () => {
    expect(flavorOf({ style: 'query', s3: false })).toBe('query');
    expect(flavorOf({ style: 'rest-xml', s3: false })).toBe('query');
    expect(flavorOf({ style: 'rest-xml', s3: true })).toBe('s3');
    expect(flavorOf({ style: 'json', s3: false })).toBe('json');
    expect(flavorOf({ style: 'rest-json', s3: false })).toBe('rest-json');
  });

  it('renders the gateway-facing kinds with AWS texts', () => {
    expect(authError('unknownAccessKey', 'query', { accessKeyId: 'A' })).toMatchObject({ code: 'InvalidClientTokenId', status: 403 });
    expect(authError('unknownAccessKey', 'json', { accessKeyId: 'A' })).toMatchObject({
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    expect(authError('unknownAccessKey', 's3', { accessKeyId: 'A' })).toMatchObject({
      code: 'InvalidAccessKeyId',
      fields: { AWSAccessKeyId: 'A' },
    });
    expect(authError('presignExpired', 's3', SAMPLES.presignExpired).fields).toEqual({
      'X-Amz-Expires': '60',
      Expires: '2026-11-29T12:00:00Z',
      ServerTime: '2026-11-29T12:00:01Z',
    });
  });
});
