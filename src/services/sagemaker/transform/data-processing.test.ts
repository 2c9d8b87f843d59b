import { describe, expect, it } from 'vitest';
import { compileDataProcessing, filterValidationMessage, recordFormat, type DataProcessingSpec } from './data-processing.js';
import { TransformDataError } from './errors.js';

// Examples from "Associate Prediction Results with Input Records" (DG,
// https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform-data-processing.html) and API_DataProcessing.

const b = (s: string) => Buffer.from(s);
const csv = (dataProcessing: DataProcessingSpec['dataProcessing']) => compileDataProcessing({ dataProcessing, contentType: 'text/csv', accept: 'text/csv' });
const jsonl = (dataProcessing: DataProcessingSpec['dataProcessing']) =>
  compileDataProcessing({ dataProcessing, contentType: 'application/jsonlines', accept: 'application/jsonlines' });

describe('record formats', () => {
  it.each([
    ['text/csv', 'csv'],
    ['text/csv; charset=utf-8', 'csv'],
    ['application/json', 'json'],
    ['application/jsonlines', 'jsonlines'],
    ['APPLICATION/X-JSONLINES', 'jsonlines'],
    ['application/x-recordio-protobuf', undefined],
    [undefined, undefined],
  ])('%s → %s', (type, format) => {
    expect(recordFormat(type)).toBe(format);
  });
});

describe('Example: Output Only Inferences (DG) — the default', () => {
  it('InputFilter "$", JoinSource "None", OutputFilter "$" leave records and answers untouched', () => {
    for (const dataProcessing of [undefined, {}, { InputFilter: '$', JoinSource: 'None', OutputFilter: '$' }, { InputFilter: '', OutputFilter: '' }]) {
      const dp = compileDataProcessing({ dataProcessing, contentType: 'image/jpeg' });
      expect(dp.passthrough).toBe(true);
      const record = b('\x00\xffraw bytes');
      expect(dp.filterInput(record)).toBe(record);
      const answer = b('anything\n');
      expect(dp.finishBatch([record], answer)).toBe(answer);
    }
  });
});

describe('Example: Output Input Data and Inferences (DG)', () => {
  it('CSV: "if the record is [1,2,3], and the label result is [1], then the output file would contain [1,2,3,1]"', () => {
    expect(csv({ JoinSource: 'Input' }).finishBatch([b('1,2,3')], b('1')).toString()).toBe('1,2,3,1');
  });

  it('JSON: input {"key":1} and result {"label":1} give {"key":1,"SageMakerOutput":{"label":1}}', () => {
    const dp = compileDataProcessing({ dataProcessing: { JoinSource: 'Input' }, contentType: 'application/json', accept: 'application/json' });
    expect(JSON.parse(dp.finishBatch([b('{"key":1}')], b('{"label":1}')).toString())).toEqual({ key: 1, SageMakerOutput: { label: 1 } });
  });

  it('JSON input that is not an object is stored under SageMakerInput, the result under SageMakerOutput', () => {
    const dp = jsonl({ JoinSource: 'Input' });
    expect(dp.finishBatch([b('[1,2,3]')], b('0.7')).toString()).toBe('{"SageMakerInput":[1,2,3],"SageMakerOutput":0.7}');
    expect(dp.finishBatch([b('"text"')], b('{"label":"pos"}')).toString()).toBe('{"SageMakerInput":"text","SageMakerOutput":{"label":"pos"}}');
    expect(dp.finishBatch([b('null')], b('1')).toString()).toBe('{"SageMakerInput":null,"SageMakerOutput":1}');
  });

  it('a SageMakerOutput member already in the input is overwritten, as the guide warns', () => {
    expect(jsonl({ JoinSource: 'Input' }).finishBatch([b('{"a":1,"SageMakerOutput":"old"}')], b('2')).toString()).toBe('{"a":1,"SageMakerOutput":2}');
  });

  it('an answer that is not JSON is joined as a string', () => {
    expect(jsonl({ JoinSource: 'Input' }).finishBatch([b('{"a":1}')], b('0.1,0.9')).toString()).toBe('{"a":1,"SageMakerOutput":"0.1,0.9"}');
  });
});

describe('Example: Output an ID Column with Results and Exclude the ID Column from the Input (CSV) (DG)', () => {
  // "if your data includes five columns and the first one is the ID column": InputFilter "$[1:]", JoinSource Input, OutputFilter "$"
  const dp = csv({ InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$' });

  it('sends the four feature columns and writes the five input columns followed by the result', () => {
    expect(dp.filterInput(b('id42,1.5,2,"a,b",4')).toString()).toBe('1.5,2,"a,b",4');
    expect(dp.finishBatch([b('id42,1.5,2,"a,b",4')], b('0.93\n')).toString()).toBe('id42,1.5,2,"a,b",4,0.93');
  });

  it('with OutputFilter "$[0,-1]" keeps the ID and the prediction (reference §4.6 recipe)', () => {
    const recipe = csv({ InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' });
    expect(recipe.finishBatch([b('id42,1.5,2')], b('0.93')).toString()).toBe('id42,0.93');
  });

  it('output columns are all appended: a multi-column answer, then "$[0,5:]" (API_DataProcessing OutputFilter example)', () => {
    const dp2 = csv({ JoinSource: 'Input', OutputFilter: '$[0,5:]' });
    expect(dp2.finishBatch([b('id,f1,f2,f3,f4')], b('0.2,0.8')).toString()).toBe('id,0.2,0.8');
  });

  it('joins a MultiRecord batch row by row, and fails when the model answers a different number of rows', () => {
    const recipe = csv({ InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' });
    expect(recipe.finishBatch([b('a,1'), b('b,2'), b('c,3')], b('10\n20\r\n30\n')).toString()).toBe('a,10\nb,20\nc,30');
    expect(() => recipe.finishBatch([b('a,1'), b('b,2')], b('10\n'))).toThrow(
      'JoinSource=Input needs one result per input record: the request carried 2 records, the model returned 1 line',
    );
  });

  it('an OutputFilter index beyond the joined columns fails the job', () => {
    expect(() => csv({ JoinSource: 'Input', OutputFilter: '$[9]' }).finishBatch([b('a,b')], b('1'))).toThrow(/index 9 is outside the record's 3 elements/);
  });

  it('a SplitType=None CSV object (many rows in one record) is filtered and joined row by row', () => {
    const dp3 = csv({ InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' });
    expect(dp3.filterInput(b('a,1,2\r\nb,3,4\n')).toString()).toBe('1,2\n3,4');
    expect(dp3.finishBatch([b('a,1,2\r\nb,3,4\n')], b('x\ny\n')).toString()).toBe('a,x\nb,y');
  });
});

describe('Example: Output an ID Attribute with Results and Exclude the ID Attribute from the Input (JSON) (DG)', () => {
  // InputFilter "$.features", JoinSource "Input", OutputFilter "$['id','SageMakerOutput']"
  const dp = jsonl({ InputFilter: '$.features', JoinSource: 'Input', OutputFilter: "$['id','SageMakerOutput']" });

  it('sends the features and writes the ID beside the result', () => {
    const record = b('{"id":"r1","features":[0.5,1.5],"note":"x"}');
    expect(dp.filterInput(record).toString()).toBe('[0.5,1.5]');
    expect(dp.finishBatch([record], b('{"score":0.8}\n')).toString()).toBe('{"id":"r1","SageMakerOutput":{"score":0.8}}');
  });

  it('a JSON Lines batch is joined line by line', () => {
    const records = [b('{"id":1,"features":[1]}'), b('{"id":2,"features":[2]}')];
    expect(dp.finishBatch(records, b('{"score":1}\n{"score":2}\n')).toString()).toBe('{"id":1,"SageMakerOutput":{"score":1}}\n{"id":2,"SageMakerOutput":{"score":2}}');
  });

  it('a record without the filtered member fails the job', () => {
    expect(() => dp.filterInput(b('{"id":3}'))).toThrow('JsonPath $.features: the record has no member `features`');
  });

  it('a record that is not JSON fails the job', () => {
    expect(() => dp.filterInput(b('id,features'))).toThrow(/record is not valid JSON/);
  });
});

describe('application/json records are whole documents', () => {
  const dp = compileDataProcessing({
    dataProcessing: { InputFilter: '$.instances', JoinSource: 'Input', OutputFilter: "$['id','SageMakerOutput']" },
    contentType: 'application/json',
    accept: 'application/json',
  });

  it('filters and joins a pretty-printed document and a pretty-printed answer', () => {
    const record = b('{\n  "id": 9,\n  "instances": [[1, 2]]\n}\n');
    expect(dp.filterInput(record).toString()).toBe('[[1,2]]');
    expect(dp.finishBatch([record], b('{\n  "predictions": [0.4]\n}\n')).toString()).toBe('{"id":9,"SageMakerOutput":{"predictions":[0.4]}}');
  });

  it('a MultiRecord batch of one-line documents is joined line by line', () => {
    expect(dp.finishBatch([b('{"id":1,"instances":[]}'), b('{"id":2,"instances":[]}')], b('{"p":1}\n{"p":2}')).toString()).toBe(
      '{"id":1,"SageMakerOutput":{"p":1}}\n{"id":2,"SageMakerOutput":{"p":2}}',
    );
  });
});

describe('OutputFilter without a join applies to the answer', () => {
  it("JSON: $['class'] keeps one member of the answer (AWS's AutoGluon batch notebook)", () => {
    const dp = compileDataProcessing({ dataProcessing: { InputFilter: '$[:13]', OutputFilter: "$['class']" }, contentType: 'text/csv', accept: 'application/json' });
    expect(dp.filterInput(b(Array.from({ length: 15 }, (_, i) => i).join(','))).toString()).toBe('0,1,2,3,4,5,6,7,8,9,10,11,12,13');
    expect(dp.finishBatch([b('x')], b('{"class":{"0":" <=50K"}," <=50K":{"0":0.9}}')).toString()).toBe('{"0":" <=50K"}');
  });

  it('CSV: row by row', () => {
    const dp = csv({ OutputFilter: '$[-1]' });
    expect(dp.finishBatch([b('a'), b('b')], b('0.1,0.9\n0.7,0.3\n')).toString()).toBe('0.9\n0.3');
  });
});

describe('what data processing cannot do', () => {
  it('filters and joins need CSV or JSON', () => {
    expect(() => compileDataProcessing({ dataProcessing: { JoinSource: 'Input' }, contentType: 'application/x-image' })).toThrow(
      'JoinSource=Input applies to CSV and JSON data only (text/csv, application/json, application/jsonlines); the content type is `application/x-image`',
    );
    expect(() => compileDataProcessing({ dataProcessing: { InputFilter: '$[1:]' } })).toThrow(/the content type is not set/);
    expect(() => compileDataProcessing({ dataProcessing: { OutputFilter: '$[0]' }, contentType: 'text/csv', accept: 'application/x-npy' })).toThrow(/`application\/x-npy`/);
  });

  it('CSV rows only take index-based paths', () => {
    expect(() => csv({ InputFilter: '$.features' })).toThrow(/only index-based JSONPaths such as \$\[0\] or \$\[1:\] apply/);
    expect(() => csv({ JoinSource: 'Input', OutputFilter: "$['id','SageMakerOutput']" })).toThrow(TransformDataError);
  });

  it('an unsupported filter fails when the job starts, before any request', () => {
    expect(() => csv({ OutputFilter: '$[0:2,246:]' })).toThrow(/only single range filters/);
  });
});

describe('CreateTransformJob validation message', () => {
  it("reproduces AWS's answer for an unsupported character (aws/aws-sdk#184)", () => {
    expect(
      filterValidationMessage({ dataProcessing: { OutputFilter: "$['account_id','SageMakerOutput']" }, contentType: 'application/jsonlines', accept: 'application/jsonlines' }),
    ).toBe(
      `Invalid OutputFilter: "$['account_id','SageMakerOutput']". Unexpected "_" in JsonPath. Supported operators for "application/jsonlines" are ['$', '[', ']', '*', '.', ' ', ',', ':', '-', ''']`,
    );
  });

  it('checks InputFilter against the input content type and passes valid filters', () => {
    expect(filterValidationMessage({ dataProcessing: { InputFilter: '$.my_features' }, contentType: 'application/json' })).toMatch(/^Invalid InputFilter: "\$\.my_features"\. Unexpected "_" in JsonPath\. Supported operators for "application\/json"/);
    expect(filterValidationMessage({ dataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' }, contentType: 'text/csv' })).toBeUndefined();
    expect(filterValidationMessage({})).toBeUndefined();
  });
});
