/**
 * Object integrity: the MD5 ETag and the flexible checksums current SDKs send
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
 *
 * - single PUT: ETag = hex MD5 of the bytes; `x-amz-checksum-<alg>` = base64 of the digest (CRC as 4 big-endian bytes);
 * - multipart: ETag = hex MD5 of the concatenated binary part MD5s + `-<parts>`; a COMPOSITE checksum is the
 *   checksum of the concatenated binary part checksums + `-<parts>`; a FULL_OBJECT CRC is the CRC of the
 *   whole object, combined from the part CRCs without re-reading them (zlib's crc32_combine method).
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'];

export function isChecksumAlgorithm(s: string | undefined): s is ChecksumAlgorithm {
  return s !== undefined && (CHECKSUM_ALGORITHMS as readonly string[]).includes(s.toUpperCase());
}

/** An incremental digest. */
export interface Digest {
  update(chunk: Uint8Array): void;
  /** The raw digest bytes (call once). */
  digest(): Buffer;
}

const CRC32C_TABLE = (() => {
  // 8 tables for slicing-by-8 over the Castagnoli polynomial (reflected 0x82F63B78).
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    for (let s = 1; s < 8; s++) t[s * 256 + i] = t[(s - 1) * 256 + i] >>> 8 ^ t[t[(s - 1) * 256 + i] & 0xff];
  }
  return t;
})();

/** CRC-32C of `buf`, continuing from `crc` (0 to start). */
export function crc32c(buf: Uint8Array, crc = 0): number {
  const t = CRC32C_TABLE;
  let c = ~crc;
  let i = 0;
  const n = buf.length;
  for (; i + 8 <= n; i += 8) {
    c ^= buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
    c =
      t[1792 + (c & 0xff)] ^ t[1536 + ((c >>> 8) & 0xff)] ^ t[1280 + ((c >>> 16) & 0xff)] ^ t[1024 + (c >>> 24)] ^
      t[768 + buf[i + 4]] ^ t[512 + buf[i + 5]] ^ t[256 + buf[i + 6]] ^ t[buf[i + 7]];
  }
  for (; i < n; i++) c = t[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export function crc32(buf: Uint8Array, crc = 0): number {
  return zlibCrc32(buf, crc) >>> 0;
}

function crcDigest(fn: (b: Uint8Array, c: number) => number): Digest {
  let c = 0;
  return {
    update: (chunk) => void (c = fn(chunk, c)),
    digest: () => u32(c),
  };
}

function hashDigest(h: Hash): Digest {
  return { update: (chunk) => void h.update(chunk), digest: () => h.digest() };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function newDigest(algorithm: ChecksumAlgorithm | 'MD5'): Digest {
  switch (algorithm) {
    case 'CRC32':
      return crcDigest(crc32);
    case 'CRC32C':
      return crcDigest(crc32c);
    case 'SHA1':
      return hashDigest(createHash('sha1'));
    case 'SHA256':
      return hashDigest(createHash('sha256'));
    case 'MD5':
      return hashDigest(createHash('md5'));
    default: {
      const never: never = algorithm;
      throw new Error(`unknown algorithm ${String(never)}`);
    }
  }
}

export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const d = newDigest(algorithm);
  d.update(data);
  return d.digest().toString('base64');
}

/** The response header / member name of an algorithm's value: `ChecksumCRC32`. */
export function checksumMember(algorithm: ChecksumAlgorithm): `Checksum${ChecksumAlgorithm}` {
  return `Checksum${algorithm}`;
}

/** Byte length of each algorithm's digest, to reject malformed header values. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, SHA1: 20, SHA256: 32 };

export function isWellFormedChecksum(algorithm: ChecksumAlgorithm, value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === DIGEST_BYTES[algorithm];
}

/** The multipart ETag: MD5 of the concatenated binary part MD5s, `-` and the part count, quoted. */
export function multipartEtag(partEtags: readonly string[]): string {
  const h = createHash('md5');
  for (const e of partEtags) h.update(Buffer.from(e.replace(/"/g, ''), 'hex'));
  return `"${h.digest('hex')}-${partEtags.length}"`;
}

/** COMPOSITE multipart checksum: the checksum of the concatenated binary part checksums, `-N`. */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: readonly string[]): string {
  const d = newDigest(algorithm);
  for (const c of partChecksums) d.update(Buffer.from(c, 'base64'));
  return `${d.digest().toString('base64')}-${partChecksums.length}`;
}

// crc_combine (zlib): CRC(A ‖ B) from CRC(A), CRC(B) and |B|, by applying |B| zero bytes to CRC(A) through
// powers of the CRC's shift operator in GF(2), as 32×32 bit matrices.
function gf2Times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i];
  return sum >>> 0;
}

function gf2Square(square: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(mat, mat[n]);
}

export function crcCombine(poly: number, crcA: number, crcB: number, lenB: number): number {
  if (lenB <= 0) return crcA >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = poly >>> 0;
  let row = 1;
  for (let n = 1; n < 32; n++, row <<= 1) odd[n] = row >>> 0;
  gf2Square(even, odd);
  gf2Square(odd, even);
  let crc = crcA >>> 0;
  let len = lenB;
  do {
    gf2Square(even, odd);
    if (len & 1) crc = gf2Times(even, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
    gf2Square(odd, even);
    if (len & 1) crc = gf2Times(odd, crc);
    len = Math.floor(len / 2);
  } while (len !== 0);
  return (crc ^ crcB) >>> 0;
}

const POLY: Partial<Record<ChecksumAlgorithm, number>> = { CRC32: 0xedb88320, CRC32C: 0x82f63b78 };

/** FULL_OBJECT multipart checksum for the CRC algorithms; undefined for the SHA ones (not combinable). */
export function fullObjectChecksum(algorithm: ChecksumAlgorithm, parts: ReadonlyArray<{ checksum: string; size: number }>): string | undefined {
  const poly = POLY[algorithm];
  if (poly === undefined) return undefined;
  let crc = 0;
  for (const p of parts) crc = crcCombine(poly, crc, Buffer.from(p.checksum, 'base64').readUInt32BE(0), p.size);
  return u32(crc).toString('base64');
}
