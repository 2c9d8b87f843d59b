/**
 * The two binary record formats `SplitType` knows besides lines.
 *
 * - **RecordIO** is MXNet's (dmlc-core `recordio.h`, the format SageMaker's built-in algorithms and the Python SDK's
 *   `write_recordio` use): each part is `u32le magic 0xced7230a`, `u32le lrecord` (top 3 bits a continuation flag,
 *   low 29 bits the length), the data, then zero padding to a multiple of 4. A logical record is one part with flag 0,
 *   or parts flagged 1 (first), 2 (middle) … 3 (last): the writer cuts the data wherever the magic number occurs on a
 *   4-byte boundary and drops it, so the reader puts the magic back between parts.
 * - **TFRecord** (TensorFlow): `u64le length`, `u32le masked_crc32c(length bytes)`, the data, `u32le
 *   masked_crc32c(data)`; both checksums are verified.
 *
 * `splitFramed` returns each logical record *with* its framing; `unframe` strips it. SageMaker sends a SingleRecord
 * request without the framing and a MultiRecord request with it: "padding is removed if the value of BatchStrategy is
 * set to SingleRecord. Padding is not removed if the value of BatchStrategy is set to MultiRecord" (API_TransformInput,
 * SplitType).
 */
import { TransformDataError } from './errors.js';

export type FramedSplitType = 'RecordIO' | 'TFRecord';

export const RECORDIO_MAGIC = 0xced7230a;
const LENGTH_MASK = (1 << 29) - 1;

function malformed(format: FramedSplitType, message: string): TransformDataError {
  return new TransformDataError('MalformedRecord', `invalid ${format} data: ${message}`);
}

/** Splits an object into its framed logical records (each a view into `data`, framing included). */
export function splitFramed(data: Buffer, format: FramedSplitType): Buffer[] {
  return format === 'RecordIO' ? splitRecordIO(data) : splitTFRecord(data);
}

/** The payload of one framed logical record, as `splitFramed` returned it. */
export function unframe(record: Buffer, format: FramedSplitType): Buffer {
  return format === 'RecordIO' ? unframeRecordIO(record) : unframeTFRecord(record);
}

interface RecordIOPart {
  readonly flag: number;
  readonly data: Buffer;
  readonly next: number;
}

function readRecordIOPart(data: Buffer, offset: number): RecordIOPart {
  if (offset + 8 > data.length) throw malformed('RecordIO', `truncated header at byte ${offset}`);
  const magic = data.readUInt32LE(offset);
  if (magic !== RECORDIO_MAGIC) throw malformed('RecordIO', `bad magic number 0x${magic.toString(16).padStart(8, '0')} at byte ${offset}`);
  const lrecord = data.readUInt32LE(offset + 4);
  const flag = lrecord >>> 29;
  const length = lrecord & LENGTH_MASK;
  const start = offset + 8;
  if (start + length > data.length) throw malformed('RecordIO', `record at byte ${offset} declares ${length} bytes, ${data.length - start} remain`);
  const next = Math.min(start + ((length + 3) & ~3), data.length);
  return { flag, data: data.subarray(start, start + length), next };
}

function splitRecordIO(data: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    const begin = offset;
    let part = readRecordIOPart(data, offset);
    if (part.flag === 2 || part.flag === 3) throw malformed('RecordIO', `continuation part without a first part at byte ${begin}`);
    if (part.flag === 1) {
      do {
        const at = part.next;
        if (at >= data.length) throw malformed('RecordIO', `multi-part record at byte ${begin} has no last part`);
        part = readRecordIOPart(data, at);
        if (part.flag !== 2 && part.flag !== 3) throw malformed('RecordIO', `multi-part record at byte ${begin} is interrupted at byte ${at}`);
      } while (part.flag !== 3);
    } else if (part.flag !== 0) {
      throw malformed('RecordIO', `unknown continuation flag ${part.flag} at byte ${begin}`);
    }
    offset = part.next;
    records.push(data.subarray(begin, offset));
  }
  return records;
}

function unframeRecordIO(record: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < record.length) {
    const part = readRecordIOPart(record, offset);
    if (parts.length > 0) parts.push(MAGIC_BYTES);
    parts.push(part.data);
    offset = part.next;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

const MAGIC_BYTES = (() => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(RECORDIO_MAGIC);
  return b;
})();

/** Frames one payload as RecordIO, splitting it at 4-byte-aligned magic numbers as dmlc-core's writer does. */
export function frameRecordIO(payload: Buffer): Buffer {
  const pieces: Buffer[] = [];
  const chunks: Buffer[] = [];
  let from = 0;
  for (let i = 0; i + 4 <= payload.length; i += 4) {
    if (payload.readUInt32LE(i) === RECORDIO_MAGIC) {
      chunks.push(payload.subarray(from, i));
      from = i + 4;
    }
  }
  chunks.push(payload.subarray(from));
  chunks.forEach((chunk, n) => {
    const flag = chunks.length === 1 ? 0 : n === 0 ? 1 : n === chunks.length - 1 ? 3 : 2;
    if (chunk.length > LENGTH_MASK) throw malformed('RecordIO', `a part of ${chunk.length} bytes exceeds the 29-bit length field`);
    const header = Buffer.alloc(8);
    header.writeUInt32LE(RECORDIO_MAGIC, 0);
    header.writeUInt32LE(((flag << 29) | chunk.length) >>> 0, 4);
    pieces.push(header, chunk, Buffer.alloc((4 - (chunk.length % 4)) % 4));
  });
  return Buffer.concat(pieces);
}

function splitTFRecord(data: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + 12 > data.length) throw malformed('TFRecord', `truncated header at byte ${offset}`);
    const big = data.readBigUInt64LE(offset);
    if (big > BigInt(data.length)) throw malformed('TFRecord', `record at byte ${offset} declares ${big} bytes, more than the object holds`);
    const length = Number(big);
    if (data.readUInt32LE(offset + 8) !== maskedCrc32c(data.subarray(offset, offset + 8))) throw malformed('TFRecord', `length checksum mismatch at byte ${offset}`);
    const end = offset + 12 + length + 4;
    if (end > data.length) throw malformed('TFRecord', `record at byte ${offset} declares ${length} bytes, ${data.length - offset - 12} remain`);
    const payload = data.subarray(offset + 12, offset + 12 + length);
    if (data.readUInt32LE(offset + 12 + length) !== maskedCrc32c(payload)) throw malformed('TFRecord', `data checksum mismatch in the record at byte ${offset}`);
    records.push(data.subarray(offset, end));
    offset = end;
  }
  return records;
}

function unframeTFRecord(record: Buffer): Buffer {
  return record.subarray(12, record.length - 4);
}

/** Frames one payload as a TFRecord. */
export function frameTFRecord(payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(payload.length), 0);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc32c(payload), 0);
  return Buffer.concat([header, payload, footer]);
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the checksum TFRecord uses. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC32C_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TensorFlow's masking: rotate right by 15 bits and add 0xa282ead8. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
