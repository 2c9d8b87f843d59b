import { describe, expect, it } from 'vitest';
import { TransformDataError } from './errors.js';
import { crc32c, frameRecordIO, frameTFRecord, maskedCrc32c, RECORDIO_MAGIC, splitFramed, unframe } from './framing.js';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

describe('CRC-32C', () => {
  it('matches the standard check value and the RFC 3720 vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0x00))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
  });

  it("masks as TensorFlow's crc32c::Mask: rotate right 15, add 0xa282ead8", () => {
    const crc = crc32c(Buffer.from('abc'));
    expect(maskedCrc32c(Buffer.from('abc'))).toBe(((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });
});

describe('RecordIO (MXNet / dmlc-core framing)', () => {
  it('frames a record as magic, length, data, zero padding to 4 bytes', () => {
    const framed = frameRecordIO(Buffer.from('hello'));
    expect(framed.readUInt32LE(0)).toBe(RECORDIO_MAGIC);
    expect(framed.readUInt32LE(4)).toBe(5);
    expect(framed.subarray(8, 13).toString()).toBe('hello');
    expect([...framed.subarray(13)]).toEqual([0, 0, 0]);
    expect(framed).toHaveLength(16);
  });

  it('splits records and strips the framing again', () => {
    const payloads = ['a', 'four', '', 'seven77'].map((s) => Buffer.from(s));
    const data = Buffer.concat(payloads.map(frameRecordIO));
    const records = splitFramed(data, 'RecordIO');
    expect(records.map((r) => unframe(r, 'RecordIO').toString())).toEqual(['a', 'four', '', 'seven77']);
    expect(Buffer.concat(records)).toEqual(data);
  });

  it('splits a payload containing the magic number into parts (flags 1, 2, 3) and joins them back', () => {
    const payload = Buffer.concat([Buffer.from('abcd'), u32(RECORDIO_MAGIC), Buffer.from('efgh'), u32(RECORDIO_MAGIC), Buffer.from('ij')]);
    const framed = frameRecordIO(payload);
    expect(framed.readUInt32LE(4) >>> 29).toBe(1);
    const data = Buffer.concat([framed, frameRecordIO(Buffer.from('next'))]);
    const records = splitFramed(data, 'RecordIO');
    expect(records).toHaveLength(2);
    expect(unframe(records[0]!, 'RecordIO')).toEqual(payload);
    expect(unframe(records[1]!, 'RecordIO').toString()).toBe('next');
  });

  it('accepts a last record without its padding', () => {
    const framed = frameRecordIO(Buffer.from('abc'));
    expect(unframe(splitFramed(framed.subarray(0, 11), 'RecordIO')[0]!, 'RecordIO').toString()).toBe('abc');
  });

  it.each([
    ['a bad magic number', Buffer.concat([u32(0x12345678), u32(0)]), /bad magic number 0x12345678 at byte 0/],
    ['a truncated header', Buffer.from([0x0a, 0x23]), /truncated header at byte 0/],
    ['a length beyond the object', Buffer.concat([u32(RECORDIO_MAGIC), u32(100), Buffer.from('ab')]), /declares 100 bytes, 2 remain/],
    ['a continuation without a start', Buffer.concat([u32(RECORDIO_MAGIC), u32((3 << 29) >>> 0)]), /continuation part without a first part/],
    ['a first part without a last', Buffer.concat([u32(RECORDIO_MAGIC), u32((1 << 29) >>> 0)]), /has no last part/],
  ])('rejects %s', (_what, data, message) => {
    expect(() => splitFramed(data, 'RecordIO')).toThrow(TransformDataError);
    expect(() => splitFramed(data, 'RecordIO')).toThrow(message);
  });
});

describe('TFRecord', () => {
  it('frames as u64 length, masked crc of the length, data, masked crc of the data', () => {
    const framed = frameTFRecord(Buffer.from('xyz'));
    expect(framed.readBigUInt64LE(0)).toBe(3n);
    expect(framed.readUInt32LE(8)).toBe(maskedCrc32c(framed.subarray(0, 8)));
    expect(framed.subarray(12, 15).toString()).toBe('xyz');
    expect(framed.readUInt32LE(15)).toBe(maskedCrc32c(Buffer.from('xyz')));
    expect(framed).toHaveLength(19);
  });

  it('splits records and strips the framing', () => {
    const data = Buffer.concat(['one', '', 'three'].map((s) => frameTFRecord(Buffer.from(s))));
    const records = splitFramed(data, 'TFRecord');
    expect(records.map((r) => unframe(r, 'TFRecord').toString())).toEqual(['one', '', 'three']);
    expect(Buffer.concat(records)).toEqual(data);
  });

  it('verifies both checksums', () => {
    const good = frameTFRecord(Buffer.from('payload'));
    const badData = Buffer.from(good);
    badData[13] ^= 1;
    expect(() => splitFramed(badData, 'TFRecord')).toThrow(/data checksum mismatch in the record at byte 0/);
    const badLength = Buffer.from(good);
    badLength[8] ^= 1;
    expect(() => splitFramed(badLength, 'TFRecord')).toThrow(/length checksum mismatch at byte 0/);
    expect(() => splitFramed(good.subarray(0, 10), 'TFRecord')).toThrow(/truncated header/);
    expect(() => splitFramed(good.subarray(0, good.length - 1), 'TFRecord')).toThrow(/declares 7 bytes/);
  });
});
