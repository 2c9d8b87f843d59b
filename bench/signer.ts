/**
 * A small SigV4 signer for the load generator: POST form requests (the query protocol that STS and IAM speak),
 * signed fresh for every request with the current X-Amz-Date.
 *
 * What is cached, so that signing is never the bottleneck:
 *   - the derived signing key per (date, region, service) — recomputed when the UTC day changes;
 *   - the payload hash (the body of a benchmark request never changes);
 *   - the constant parts of the canonical request (everything except the `x-amz-date` line);
 *   - the X-Amz-Date string, re-formatted once per second.
 * What is computed per request: SHA-256 of the canonical request, HMAC-SHA256 of the string to sign (~3 µs).
 *
 * Headers signed, as the AWS SDK for JavaScript v3 does for a query call: content-length, content-type, host,
 * x-amz-date and x-amz-security-token when the credentials are temporary.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignedForm {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

const oneShot = (nodeCrypto as { hash?: (alg: string, data: string | Buffer, enc: 'hex') => string }).hash;
const sha256Hex = (data: string | Buffer): string =>
  oneShot === undefined ? createHash('sha256').update(data).digest('hex') : oneShot('sha256', data, 'hex');

export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

/** `yyyymmddThhmmssZ` for an epoch-ms instant. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Returns a function that signs `form` (an `application/x-www-form-urlencoded` body) for `service` in `region`
 * against `host` (`127.0.0.1:port`). Each call yields fresh headers; the body buffer is shared.
 */
export function formSigner(opts: { host: string; region: string; service: string; credentials: Credentials; form: string }): (now?: number) => SignedForm {
  const { host, region, service, credentials } = opts;
  const body = Buffer.from(opts.form);
  const contentType = 'application/x-www-form-urlencoded; charset=utf-8';
  const token = credentials.sessionToken;
  const signedHeaders = token === undefined ? 'content-length;content-type;host;x-amz-date' : 'content-length;content-type;host;x-amz-date;x-amz-security-token';
  const head = `POST\n/\n\ncontent-length:${body.length}\ncontent-type:${contentType}\nhost:${host}\nx-amz-date:`;
  const tail = `\n${token === undefined ? '' : `x-amz-security-token:${token}\n`}\n${signedHeaders}\n${sha256Hex(body)}`;

  let second = -1;
  let dateStr = '';
  let day = '';
  let key: Buffer = Buffer.alloc(0);
  let scope = '';
  let credentialPrefix = '';

  return (now = Date.now()) => {
    const s = Math.floor(now / 1000);
    if (s !== second) {
      second = s;
      dateStr = amzDate(s * 1000);
      const d = dateStr.slice(0, 8);
      if (d !== day) {
        day = d;
        key = deriveSigningKey(credentials.secretAccessKey, d, region, service);
        scope = `${d}/${region}/${service}/aws4_request`;
        credentialPrefix = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=`;
      }
    }
    const canonical = head + dateStr + tail;
    const stringToSign = `AWS4-HMAC-SHA256\n${dateStr}\n${scope}\n${sha256Hex(canonical)}`;
    const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
    const headers: Record<string, string> = {
      'content-type': contentType,
      'content-length': String(body.length),
      host,
      'x-amz-date': dateStr,
      authorization: credentialPrefix + signature,
    };
    if (token !== undefined) headers['x-amz-security-token'] = token;
    return { headers, body };
  };
}
