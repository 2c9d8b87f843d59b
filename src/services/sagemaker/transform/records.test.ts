import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { frameRecordIO, frameTFRecord } from './framing.js';
import { parseCsvRow, formatCsvRow } from './csv.js';
import {
  assemble,
  batches,
  decodeInput,
  maxPayloadBytes,
  outputKey,
  splitRecords,
  splitResponse,
  transformObject,
  TransformDataError,
  type Batch,
  type TransformSpec,
} from './records.js';

const b = (s: string) => Buffer.from(s);
const texts = (bufs: readonly Buffer[]) => bufs.map((x) => x.toString());
const MB = 1024 * 1024;

describe('splitRecords', () => {
  it('None: the whole object is one record, even an empty one', () => {
    expect(texts(splitRecords(b('a\nb\n'), 'None'))).toEqual(['a\nb\n']);
    expect(texts(splitRecords(b(''), 'None'))).toEqual(['']);
  });

  it.each([
    ['a\nb\nc', ['a', 'b', 'c']],
    ['a\nb\nc\n', ['a', 'b', 'c']],
    ['a\r\nb\r\n', ['a', 'b']],
    ['a\n\nb\n', ['a', '', 'b']],
    ['a\n\n', ['a', '']],
    ['\n', ['']],
    ['', []],
    ['lone\rcr\n', ['lone\rcr']],
    ['"q,1",2\n', ['"q,1",2']],
  ])('Line splits %j into %j (empty lines are records; a final newline is not)', (data, records) => {
    expect(texts(splitRecords(b(data), 'Line'))).toEqual(records);
  });

  it('Line splits the input1.csv of the Developer Guide into its N records', () => {
    const input1 = ['Record1-Attribute1, Record1-Attribute2, Record1-Attribute3', 'Record2-Attribute1, Record2-Attribute2, Record2-Attribute3', 'Record3-Attribute1, Record3-Attribute2, Record3-Attribute3'];
    expect(texts(splitRecords(b(`${input1.join('\n')}\n`), 'Line'))).toEqual(input1);
  });

  it('RecordIO and TFRecord split on record boundaries and keep the framing', () => {
    const rio = Buffer.concat([frameRecordIO(b('r1')), frameRecordIO(b('record2'))]);
    expect(splitRecords(rio, 'RecordIO').map((r) => r.length)).toEqual([12, 16]);
    const tfr = Buffer.concat([frameTFRecord(b('t1')), frameTFRecord(b('t22'))]);
    expect(splitRecords(tfr, 'TFRecord').map((r) => r.length)).toEqual([18, 19]);
  });

  it('an unknown SplitType is an error naming it', () => {
    expect(() => splitRecords(b('x'), 'Parquet' as never)).toThrow('unsupported SplitType `Parquet`');
  });
});

describe('batches', () => {
  const lines = (...s: string[]) => s.map(b);
  const shape = (bs: readonly Batch[]) => bs.map((x) => [x.body.toString(), x.start, x.count]);

  it('SingleRecord: one record per request', () => {
    expect(shape(batches(lines('a', 'b', 'c'), 'SingleRecord', 6 * MB, 'Line'))).toEqual([
      ['a', 0, 1],
      ['b', 1, 1],
      ['c', 2, 1],
    ]);
  });

  it('MultiRecord: consecutive records joined by \\n up to the limit, the separator counted', () => {
    // 'aaa\nbbb' = 7 bytes fits in 7; a third record would need 4 more.
    expect(shape(batches(lines('aaa', 'bbb', 'ccc', 'dd', 'e'), 'MultiRecord', 7, 'Line'))).toEqual([
      ['aaa\nbbb', 0, 2],
      ['ccc\ndd', 2, 2],
      ['e', 4, 1],
    ]);
    expect(shape(batches(lines('aaa', 'bbb'), 'MultiRecord', 6, 'Line'))).toEqual([
      ['aaa', 0, 1],
      ['bbb', 1, 1],
    ]);
  });

  it('MultiRecord with the default 6 MB sends a small file in one request (the mini-batch of the Developer Guide)', () => {
    const records = lines('Record3-Attribute1, Record3-Attribute2', 'Record4-Attribute1, Record4-Attribute2');
    expect(shape(batches(records, 'MultiRecord', maxPayloadBytes(undefined), 'Line'))).toEqual([[`${records[0]}\n${records[1]}`, 0, 2]]);
  });

  it('keeps empty records in place', () => {
    expect(shape(batches(lines('a', '', 'b'), 'MultiRecord', 100, 'Line'))).toEqual([['a\n\nb', 0, 3]]);
  });

  it('a record larger than MaxPayloadInMB fails, with the sizes in the message', () => {
    const big = Buffer.alloc(MB + 1, 0x61);
    for (const strategy of ['SingleRecord', 'MultiRecord'] as const) {
      expect(() => batches([b('ok'), big], strategy, MB, 'Line')).toThrow(TransformDataError);
      expect(() => batches([b('ok'), big], strategy, MB, 'Line')).toThrow('Record 2 is 1048577 bytes, larger than MaxPayloadInMB (1 MB = 1048576 bytes). Increase MaxPayloadInMB');
    }
    expect(() => batches([big], 'MultiRecord', MB, 'None')).toThrow(/Increase MaxPayloadInMB or split the input with SplitType$/);
    expect(batches([Buffer.alloc(MB)], 'SingleRecord', MB, 'Line')).toHaveLength(1);
  });

  it('MaxPayloadInMB 0 means no limit (streaming): everything in one request', () => {
    const big = Buffer.alloc(7 * MB);
    expect(maxPayloadBytes(0)).toBe(0);
    const out = batches([big, big], 'MultiRecord', maxPayloadBytes(0), 'Line');
    expect(out).toHaveLength(1);
    expect(out[0]!.body).toHaveLength(14 * MB + 1);
    expect(batches([big], 'SingleRecord', 0, 'None')[0]!.body).toBe(big);
  });

  it('maxPayloadBytes: MB are MiB, 6 by default', () => {
    expect(maxPayloadBytes(undefined)).toBe(6 * MB);
    expect(maxPayloadBytes(100)).toBe(100 * MB);
  });

  it('None: the object is sent whole, whatever the strategy', () => {
    expect(shape(batches([b('x\ny\n')], 'MultiRecord', 100, 'None'))).toEqual([['x\ny\n', 0, 1]]);
  });

  it('RecordIO/TFRecord: SingleRecord sends the payload without framing, MultiRecord the framed records concatenated', () => {
    for (const [type, frame] of [['RecordIO', frameRecordIO], ['TFRecord', frameTFRecord]] as const) {
      const framed = [frame(b('one')), frame(b('two')), frame(b('three'))];
      const data = Buffer.concat(framed);
      const records = splitRecords(data, type);
      expect(texts(batches(records, 'SingleRecord', MB, type).map((x) => x.body))).toEqual(['one', 'two', 'three']);
      const multi = batches(records, 'MultiRecord', MB, type);
      expect(multi).toHaveLength(1);
      expect(multi[0]!.body).toEqual(data);
      const tight = batches(records, 'MultiRecord', framed[0]!.length + framed[1]!.length, type);
      expect(tight.map((x) => [x.start, x.count])).toEqual([
        [0, 2],
        [2, 1],
      ]);
    }
  });

  it('no records, no requests', () => {
    expect(batches([], 'MultiRecord', MB, 'Line')).toEqual([]);
  });
});

describe('assemble', () => {
  it('Line: a newline after every response (API_TransformOutput: "at the end of every transformed record")', () => {
    expect(assemble([b('1'), b('2')], 'Line').toString()).toBe('1\n2\n');
    expect(assemble([b('1\n2')], 'Line').toString()).toBe('1\n2\n');
    expect(assemble([b('1\n')], 'Line').toString()).toBe('1\n\n');
    expect(assemble([], 'Line')).toHaveLength(0);
  });

  it('None: byte concatenation', () => {
    expect(assemble([b('1'), b('2'), Buffer.from([0, 255])], 'None')).toEqual(Buffer.from([0x31, 0x32, 0, 255]));
  });
});

describe('splitResponse', () => {
  it('cuts a MultiRecord Line answer into one answer per record', () => {
    expect(texts(splitResponse(b('0.1\n0.2\r\n0.3\n'), 3))).toEqual(['0.1', '0.2', '0.3']);
    expect(texts(splitResponse(b('0.1\n0.2'), 2))).toEqual(['0.1', '0.2']);
  });

  it('a different number of lines is an error that says so', () => {
    expect(() => splitResponse(b('0.1\n0.2\n'), 3)).toThrow('the model returned 2 lines for a request of 3 records; with SplitType=Line each record needs one line of output');
  });
});

describe('outputKey', () => {
  it('input1.csv → input1.csv.out, input2.csv → input2.csv.out (batch-transform.md)', () => {
    expect(outputKey('data/input1.csv', 'data/', 's3://awsexamplebucket/output/')).toBe('s3://awsexamplebucket/output/input1.csv.out');
    expect(outputKey('data/input2.csv', 'data/', 's3://awsexamplebucket/output')).toBe('s3://awsexamplebucket/output/input2.csv.out');
  });

  it('nested keys keep their path below the prefix', () => {
    expect(outputKey('in/2024/01/a.csv', 'in/', 's3://b/out')).toBe('s3://b/out/2024/01/a.csv.out');
    expect(outputKey('in/x.csv', 'in/', 'out-prefix')).toBe('out-prefix/x.csv.out');
    expect(outputKey('x.csv', '', 's3://b')).toBe('s3://b/x.csv.out');
  });

  it('an S3Uri naming one object writes that object\'s .out at the output path', () => {
    expect(outputKey('data/input1.csv', 'data/input1.csv', 's3://b/out')).toBe('s3://b/out/input1.csv.out');
  });

  it('a prefix without a final slash is relative to its folder: the API reference example keeps input-name-prefix/', () => {
    // API_TransformOutput: s3://bucket-name/input-name-prefix/dataset01/data.csv → s3://bucket-name/output-name-prefix/input-name-prefix/data.csv.out
    // (the page drops dataset01/, which contradicts its own "corresponding subfolder"; we keep it).
    expect(outputKey('input-name-prefix/dataset01/data.csv', 'input-name-prefix', 's3://bucket-name/output-name-prefix')).toBe(
      's3://bucket-name/output-name-prefix/input-name-prefix/dataset01/data.csv.out',
    );
    expect(outputKey('data/part-1.csv', 'data/part', 's3://b/o')).toBe('s3://b/o/part-1.csv.out');
  });

  it('ManifestFile inputs are named after the object alone', () => {
    expect(outputKey('some/prefix/relative/path/custdata-1', 'some/prefix/', 's3://b/out', { manifest: true })).toBe('s3://b/out/custdata-1.out');
  });
});

describe('decodeInput', () => {
  it('decompresses Gzip objects and leaves others alone', () => {
    expect(decodeInput(gzipSync(b('a,1\n')), 'Gzip').toString()).toBe('a,1\n');
    const raw = b('\x1f\x8b?');
    expect(decodeInput(raw, 'None')).toBe(raw);
    expect(decodeInput(raw, undefined)).toBe(raw);
    expect(() => decodeInput(b('not gzip'), 'Gzip')).toThrow('CompressionType is Gzip but the object is not valid gzip data');
  });
});

/**
 * A stand-in model: a "linear" predictor on CSV rows (sum of the features × 0.5) that refuses any row whose column
 * count is not `features`, like a real model container would. Records every request body it received.
 */
function csvPredictor(features: number) {
  const requests: string[] = [];
  const invoke = async (body: Buffer) => {
    requests.push(body.toString());
    const rows = body.toString().split('\n');
    const answers = rows.map((row) => {
      const cols = parseCsvRow(row);
      if (cols.length !== features) throw new Error(`model expects ${features} features, got ${cols.length}`);
      return String(cols.reduce((s, c) => s + Number(c), 0) * 0.5);
    });
    return Buffer.from(`${answers.join('\n')}\n`);
  };
  return { invoke, requests };
}

describe('transformObject: an object end to end through a fake predictor', () => {
  const input = ['id-1,1,2,3', 'id-2,4,5,6', '"id,3",7,8,9', 'id-4,0,0,0'].join('\n') + '\n';
  const joinSpec: TransformSpec = {
    contentType: 'text/csv',
    accept: 'text/csv',
    splitType: 'Line',
    assembleWith: 'Line',
    batchStrategy: 'MultiRecord',
    dataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' },
  };

  it('CSV: drops the ID before the model, joins it back and keeps ID + prediction', async () => {
    const model = csvPredictor(3);
    const out = await transformObject(b(input), joinSpec, model.invoke);
    expect(out.toString()).toBe('id-1,3\nid-2,7.5\n"id,3",12\nid-4,0\n');
    expect(model.requests).toEqual(['1,2,3\n4,5,6\n7,8,9\n0,0,0']);
  });

  it('the same with SingleRecord requests and small payloads, several in flight: same output, input order', async () => {
    const model = csvPredictor(3);
    const delays = [30, 0, 10, 5];
    let n = 0;
    const slow = async (body: Buffer) => {
      const delay = delays[n++ % delays.length]!;
      await new Promise((r) => setTimeout(r, delay));
      return model.invoke(body);
    };
    const out = await transformObject(b(input), { ...joinSpec, batchStrategy: 'SingleRecord', maxConcurrentTransforms: 4 }, slow);
    expect(out.toString()).toBe('id-1,3\nid-2,7.5\n"id,3",12\nid-4,0\n');
    expect([...model.requests].sort()).toEqual(['0,0,0', '1,2,3', '4,5,6', '7,8,9']);
  });

  it('MultiRecord batches cut by MaxPayloadInMB still give one joined line per record', async () => {
    const model = csvPredictor(3);
    const many = Array.from({ length: 2000 }, (_, i) => `row-${i},${i},1,1`).join('\n');
    const out = await transformObject(b(many), { ...joinSpec, maxPayloadInMB: 0.01 }, model.invoke);
    const lines = out.toString().split('\n');
    expect(lines).toHaveLength(2001);
    expect(lines[1999]).toBe('row-1999,1000.5');
    expect(model.requests.length).toBeGreaterThan(1);
    expect(model.requests.every((r) => r.length <= 0.01 * MB)).toBe(true);
  });

  it('without data processing, answers are written as they come, one line each with AssembleWith=Line', async () => {
    const model = csvPredictor(4);
    const out = await transformObject(b('1,2,3,4\n5,6,7,8\n'), { contentType: 'text/csv', splitType: 'Line', batchStrategy: 'SingleRecord', assembleWith: 'Line' }, model.invoke);
    expect(out.toString()).toBe('5\n\n13\n\n'); // the model ends its answers with \n and Line adds one: SageMaker's behaviour too
  });

  it('JSON Lines: filters $.features, joins and keeps id + SageMakerOutput', async () => {
    const records = [{ id: 'a', features: [1, 2] }, { id: 'b', features: [3, 4] }, 'not-an-object'];
    const data = b(records.map((r) => JSON.stringify(r)).join('\n'));
    const invoke = async (body: Buffer) =>
      b(
        body
          .toString()
          .split('\n')
          .map((l) => JSON.stringify({ score: Array.isArray(JSON.parse(l)) ? (JSON.parse(l) as number[]).length : 0 }))
          .join('\n'),
      );
    const spec: TransformSpec = {
      contentType: 'application/jsonlines',
      accept: 'application/jsonlines',
      splitType: 'Line',
      assembleWith: 'Line',
      dataProcessing: { JoinSource: 'Input', OutputFilter: '$' },
    };
    const out = await transformObject(data, spec, invoke);
    expect(out.toString()).toBe(
      '{"id":"a","features":[1,2],"SageMakerOutput":{"score":0}}\n{"id":"b","features":[3,4],"SageMakerOutput":{"score":0}}\n{"SageMakerInput":"not-an-object","SageMakerOutput":{"score":0}}\n',
    );
    const filtered = await transformObject(data.subarray(0, data.lastIndexOf('\n')), { ...spec, dataProcessing: { InputFilter: '$.features', JoinSource: 'Input', OutputFilter: "$['id','SageMakerOutput']" } }, invoke);
    expect(filtered.toString()).toBe('{"id":"a","SageMakerOutput":{"score":2}}\n{"id":"b","SageMakerOutput":{"score":2}}\n');
  });

  it('Gzip input, RecordIO records sent without framing one by one, answers concatenated', async () => {
    const data = gzipSync(Buffer.concat(['x', 'yy', 'zzz'].map((s) => frameRecordIO(b(s)))));
    const out = await transformObject(data, { compressionType: 'Gzip', splitType: 'RecordIO', batchStrategy: 'SingleRecord', assembleWith: 'None' }, async (body) => b(`[${body.toString()}]`));
    expect(out.toString()).toBe('[x][yy][zzz]');
  });

  it('SplitType None sends the object whole (the default)', async () => {
    const seen: string[] = [];
    const out = await transformObject(b('whole\nobject\n'), {}, async (body) => {
      seen.push(body.toString());
      return b('done');
    });
    expect(seen).toEqual(['whole\nobject\n']);
    expect(out.toString()).toBe('done');
  });

  it('fails without output when a record is too large, the model miscounts, or the model fails', async () => {
    const model = csvPredictor(3);
    await expect(transformObject(b(`a,1,1,1\nbig,${'9'.repeat(2 * MB)},1,1\n`), { ...joinSpec, maxPayloadInMB: 1 }, model.invoke)).rejects.toThrow(/Record 2 is \d+ bytes, larger than MaxPayloadInMB/);
    await expect(transformObject(b(input), joinSpec, async () => b('1\n'))).rejects.toThrow(/the request carried 4 records, the model returned 1 line/);
    await expect(transformObject(b('id,1,2\n'), joinSpec, model.invoke)).rejects.toThrow('model expects 3 features, got 2');
    expect(model.requests).toEqual(['1,2']);
  });

  it('stops sending requests after the first failure', async () => {
    const sent: string[] = [];
    const failing = async (body: Buffer) => {
      sent.push(body.toString());
      if (body.toString() === 'b') throw new Error('model error');
      return body;
    };
    await expect(transformObject(b('a\nb\nc\nd\ne\n'), { splitType: 'Line', batchStrategy: 'SingleRecord', maxConcurrentTransforms: 2 }, failing)).rejects.toThrow('model error');
    expect(sent).toEqual(['a', 'b', 'c']);
  });

  it('data processing on RecordIO/TFRecord is refused before any request', async () => {
    let called = false;
    await expect(
      transformObject(frameTFRecord(b('t')), { splitType: 'TFRecord', contentType: 'text/csv', dataProcessing: { JoinSource: 'Input' } }, async () => {
        called = true;
        return b('');
      }),
    ).rejects.toThrow('DataProcessing filters and joins apply to CSV and JSON records, not to SplitType TFRecord');
    expect(called).toBe(false);
  });

  it('round trip keeps quoted CSV fields intact through filter, model and join', async () => {
    const rows = [['k"1', '1', 'a,b'], ['k2', '2', 'c']];
    const data = b(rows.map((r) => formatCsvRow(r)).join('\n'));
    const out = await transformObject(
      data,
      { contentType: 'text/csv', splitType: 'Line', assembleWith: 'Line', dataProcessing: { InputFilter: '$[1:2]', JoinSource: 'Input', OutputFilter: '$[0,2,-1]' } },
      async (body) => b(body.toString().split('\n').map((l) => formatCsvRow([`got ${parseCsvRow(l).join('|')}`])).join('\n')),
    );
    expect(out.toString().split('\n').slice(0, -1).map(parseCsvRow)).toEqual([
      ['k"1', 'a,b', 'got 1|a,b'],
      ['k2', 'c', 'got 2|c'],
    ]);
  });
});
