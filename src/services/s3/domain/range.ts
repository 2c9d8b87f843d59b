/**
 * HTTP `Range` for GetObject / HeadObject and `x-amz-copy-source-range` for UploadPartCopy
 * (https://www.rfc-editor.org/rfc/rfc9110#name-range-requests). S3 serves one range; a header it cannot read
 * (other units, several ranges, garbage) is ignored and the whole object is returned, as S3 does.
 */
import type { ByteRange } from '../../../persistence/blob/blob-store.js';

export type RangeResult =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly range: ByteRange }
  | { readonly kind: 'unsatisfiable' };

const SINGLE = /^bytes=(\d*)-(\d*)$/;

export function resolveRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'whole' };
  const m = SINGLE.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  if (m[1] === '') {
    // Suffix range: the last n bytes.
    const n = Number(m[2]);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - n), end: size - 1 } };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end } };
}

/** `bytes start-end/size` for Content-Range. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/**
 * UploadPartCopy's `x-amz-copy-source-range: bytes=first-last`: both bounds required and inside the source.
 * Returns undefined when the header is malformed or out of bounds (the caller answers InvalidArgument/InvalidRange).
 */
export function copySourceRange(header: string, size: number): ByteRange | 'malformed' | 'unsatisfiable' {
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!m) return 'malformed';
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) return 'malformed';
  if (end >= size) return 'unsatisfiable';
  return { start, end };
}
