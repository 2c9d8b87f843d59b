import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveSigningKey } from '../auth/sigv4.js';
import { checkedPayload, decodeAwsChunked, type ChunkSigning } from './streamed-body.js';

const EMPTY = createHash('sha256').update('').digest('hex');

async function collect(src: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of src) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

/** Splits `wire` into odd-sized pieces so that headers and CRLFs straddle network chunks. */
async function* pieces(wire: Buffer, size = 7): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < wire.length; i += size) yield wire.subarray(i, i + size);
}

function unsignedTrailer(data: Buffer[], trailer: string): Buffer {
  const parts = data.map((d) => Buffer.concat([Buffer.from(`${d.length.toString(16)}\r\n`), d, Buffer.from('\r\n')]));
  return Buffer.concat([...parts, Buffer.from(`0\r\n${trailer}\r\n\r\n`)]);
}

const signing: ChunkSigning = {
  signingKey: deriveSigningKey('secret', '20260101', 'us-east-1', 's3'),
  seedSignature: 'a'.repeat(64),
  amzDate: '20260101T000000Z',
  scope: '20260101/us-east-1/s3/aws4_request',
  accessKeyId: 'AKIDEXAMPLE',
};

function signedChunks(data: Buffer[]): Buffer {
  let previous = signing.seedSignature;
  const out: Buffer[] = [];
  for (const d of [...data, Buffer.alloc(0)]) {
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${previous}\n${EMPTY}\n${createHash('sha256').update(d).digest('hex')}`;
    const sig = createHmac('sha256', signing.signingKey).update(sts).digest('hex');
    out.push(Buffer.from(`${d.length.toString(16)};chunk-signature=${sig}\r\n`), d, Buffer.from('\r\n'));
    previous = sig;
  }
  return Buffer.concat(out);
}

describe('aws-chunked bodies', () => {
  it('decodes STREAMING-UNSIGNED-PAYLOAD-TRAILER and exposes the trailer', async () => {
    const body = decodeAwsChunked(pieces(unsignedTrailer([Buffer.from('hello '), Buffer.from('world')], 'x-amz-checksum-crc32:DUoRhQ==')), { decodedLength: 11 });
    expect((await collect(body)).toString()).toBe('hello world');
    expect(body.trailers).toEqual({ 'x-amz-checksum-crc32': 'DUoRhQ==' });
  });

  it('checks each signed chunk against the chain that starts at the seed signature', async () => {
    const data = [Buffer.alloc(70_000, 1), Buffer.from('tail')];
    expect((await collect(decodeAwsChunked(pieces(signedChunks(data), 4096), { signing }))).length).toBe(70_004);
    const tampered = signedChunks(data);
    tampered[tampered.indexOf(1) + 10] = 2;
    await expect(collect(decodeAwsChunked(pieces(tampered, 4096), { signing }))).rejects.toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
  });

  it('refuses a body shorter than announced or cut in the middle of a chunk', async () => {
    await expect(collect(decodeAwsChunked(pieces(unsignedTrailer([Buffer.from('abc')], 'x-amz-checksum-crc32:AAAAAA==')), { decodedLength: 4 }))).rejects.toMatchObject({
      code: 'IncompleteBody',
    });
    await expect(collect(decodeAwsChunked(pieces(Buffer.from('a\r\nabc'))))).rejects.toMatchObject({ code: 'IncompleteBody' });
  });
});

describe('signed payload hash of a streamed body', () => {
  it('passes the bytes through and fails at the end when the SHA-256 differs', async () => {
    const data = Buffer.from('payload');
    const good = createHash('sha256').update(data).digest('hex');
    expect((await collect(checkedPayload(pieces(data), good))).toString()).toBe('payload');
    await expect(collect(checkedPayload(pieces(data), EMPTY))).rejects.toMatchObject({ code: 'XAmzContentSHA256Mismatch' });
  });
});
