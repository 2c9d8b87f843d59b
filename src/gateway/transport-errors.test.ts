import { describe, expect, it } from 'vitest';
import { transportErrorResponse } from './transport-errors.js';

const failure = (code: string | undefined, raw = '') => Object.assign(new Error('parse error'), { code, rawPacket: Buffer.from(raw, 'latin1') });

describe('transportErrorResponse', () => {
  it('answers header overflow with 431 in the shape the received bytes imply', () => {
    const xml = transportErrorResponse(failure('HPE_HEADER_OVERFLOW', 'GET /b/k HTTP/1.1\r\nHost: x\r\nX-Pad: ppp'))!;
    expect(xml).toMatch(/^HTTP\/1\.1 431 /);
    expect(xml).toContain('<Code>RequestHeaderSectionTooLarge</Code>');
    expect(xml).toContain('connection: close');
    const json = transportErrorResponse(failure('HPE_HEADER_OVERFLOW', 'POST / HTTP/1.1\r\nX-Amz-Target: AmazonSageMaker.ListModels\r\n'))!;
    expect(json).toContain('x-amzn-errortype: RequestHeaderSectionTooLarge');
    expect(JSON.parse(json.slice(json.indexOf('\r\n\r\n') + 4))).toEqual({ __type: 'RequestHeaderSectionTooLarge', message: 'Your request header section exceeds the maximum allowed size.' });
    const query = transportErrorResponse(failure('HPE_HEADER_OVERFLOW', 'POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n'))!;
    expect(query).toContain('<ErrorResponse><Error><Type>Sender</Type><Code>RequestHeaderSectionTooLarge</Code>');
  });

  it('answers bad framing with 400 BadRequest and a header timeout with 408, with a length that matches the body', () => {
    const bad = transportErrorResponse(failure('HPE_UNEXPECTED_CONTENT_LENGTH'))!;
    expect(bad).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    const body = bad.slice(bad.indexOf('\r\n\r\n') + 4);
    expect(bad).toContain(`content-length: ${Buffer.byteLength(body)}`);
    expect(body).toContain('<Code>BadRequest</Code>');
    expect(transportErrorResponse(failure('ERR_HTTP_REQUEST_TIMEOUT'))).toMatch(/^HTTP\/1\.1 408 [^]*<Code>RequestTimeout<\/Code>/);
  });

  it('gives nothing for a connection that is simply gone', () => {
    expect(transportErrorResponse(failure('ECONNRESET'))).toBeUndefined();
    expect(transportErrorResponse(failure(undefined))).toBeUndefined();
  });
});
