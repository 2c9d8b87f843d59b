import { describe, expect, it } from 'vitest';
import { TransformDataError } from './errors.js';
import { evaluateJsonPath, parseJsonPath, unsupportedCharacter } from './jsonpath.js';

// Sources: DG = https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform-data-processing.html,
// API_DataProcessing = https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DataProcessing.html.

const eval_ = (path: string, value: unknown) => evaluateJsonPath(parseJsonPath(path), value);
const columns = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('SageMaker JSONPath: the operators table and examples of the Developer Guide', () => {
  const record = { id: 7, features: [1, 2, 3], SageMakerOutput: { label: 1 }, nested: { a: 1, b: [2] } };

  // Each row: the guide's example (or one built on its rule), the value, the result. Source: DG unless noted.
  it.each([
    ['$', record, record],
    ['', record, record],
    ['$.id', record, 7],
    ['$.features', record, [1, 2, 3]],
    ['$.nested.*', record, [1, [2]]],
    ['$.id.*', record, []],
    ["$['id','SageMakerOutput']", record, { id: 7, SageMakerOutput: { label: 1 } }],
    ["$['id']", record, 7],
    ['$[1]', columns(6), 'c1'],
    ['$[1,3,5]', columns(6), ['c1', 'c3', 'c5']],
    ['$[-1]', columns(6), 'c5'],
    ['$[2:5]', columns(8), ['c2', 'c3', 'c4', 'c5']],
    ['$[:5]', columns(8), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5']],
    ['$[2:]', columns(5), ['c2', 'c3', 'c4']],
    ['$[*]', columns(3), ['c0', 'c1', 'c2']],
  ])('%s', (path, value, expected) => {
    expect(eval_(path, value)).toEqual(expected);
  });

  it('slices include their end: "$[1:4] specifies the second through fifth columns" (DG, CSV example)', () => {
    expect(eval_('$[1:4]', ['1st', '2nd', '3rd', '4th', '5th', '6th'])).toEqual(['2nd', '3rd', '4th', '5th']);
  });

  it('"[5:]" is the 6th column through the last, "[:5]" the first (index 0) through the sixth (DG)', () => {
    const row = columns(9);
    expect(eval_('$[5:]', row)).toEqual(['c5', 'c6', 'c7', 'c8']);
    expect(eval_('$[:5]', row)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
  });

  it("AWS's AutoGluon batch notebook: $[:13] feeds the 14 feature columns of a 15-column row (the script rejects any other count)", () => {
    // aws/amazon-sagemaker-examples advanced_functionality/autogluon-tabular-containers/03_Batch_Inference.ipynb
    expect(eval_('$[:13]', columns(15))).toHaveLength(14);
  });

  it('"$[1:]" drops the ID column and "$[0,-1]" keeps the ID and the prediction (reference §4.6 recipes)', () => {
    expect(eval_('$[1:]', ['id', 'f1', 'f2'])).toEqual(['f1', 'f2']);
    expect(eval_('$[0,-1]', ['id', 'f1', 'f2', 'pred'])).toEqual(['id', 'pred']);
    expect(eval_('$[0, -1]', ['id', 'f1', 'pred'])).toEqual(['id', 'pred']); // spaces, as users write it (sagemaker-xgboost-container#410)
  });

  it('"$[0,5:]" mixes an index with one slice (OutputFilter example, API_DataProcessing)', () => {
    expect(eval_('$[0,5:]', columns(8))).toEqual(['c0', 'c5', 'c6', 'c7']);
  });

  it('a second range fails with the message of a real failed job (aws/sagemaker-python-sdk#1112)', () => {
    expect(() => parseJsonPath('$[0:2,246:]')).toThrow(
      'Invalid JsonPath: $[0:2,246:]: only single range filters of format (eg: [1:5]) are supported. Format [0:2,246:] is not supported',
    );
  });

  it("accepts a dot before a bracket, `$.field1.['child1','child2']`, and rejects nested children in brackets (DG)", () => {
    const value = { field1: { child1: 1, child2: { grandchild: 2 }, child3: 3 } };
    expect(eval_("$.field1.['child1','child2']", value)).toEqual({ child1: 1, child2: { grandchild: 2 } });
    expect(() => parseJsonPath("$.field1.['child1','child2.grandchild']")).toThrow(/nested children inside brackets are not supported/);
  });

  it('OutputFilter "$[\'id\',\'SageMakerOutput\']" on a joined JSON record (DG JSON example)', () => {
    expect(eval_("$['id','SageMakerOutput']", { id: 'r1', features: [0.5], SageMakerOutput: { score: 0.9 } })).toEqual({ id: 'r1', SageMakerOutput: { score: 0.9 } });
  });

  it('InputFilter examples of API_DataProcessing: "$", "$[1:]", "$.features"', () => {
    expect(eval_('$', [1, 2])).toEqual([1, 2]);
    expect(eval_('$[1:]', [1, 2])).toEqual([2]);
    expect(eval_('$.features', { features: [1] })).toEqual([1]);
  });
});

describe('result shapes and errors', () => {
  it('a single-valued path returns the value; any other returns an array', () => {
    expect(eval_('$.a.b', { a: { b: [1] } })).toEqual([1]);
    expect(eval_('$[0][1]', [[1, 2]])).toBe(2);
    expect(eval_('$[0:0]', ['x', 'y'])).toEqual(['x']);
    expect(eval_('$[1,1]', ['x', 'y'])).toEqual(['y', 'y']);
    expect(eval_('$[*].a', [{ a: 1 }, { b: 2 }, { a: 3 }])).toEqual([1, 3]);
    expect(eval_("$[*]['a','b']", [{ a: 1, b: 2, c: 3 }, { a: 4 }])).toEqual([{ a: 1, b: 2 }, { a: 4 }]);
  });

  it('keeps JSON values as they are (null, false, 0, nested arrays)', () => {
    expect(eval_('$.a', { a: null })).toBeNull();
    expect(eval_('$.a', { a: false })).toBe(false);
    expect(eval_('$[0]', [0])).toBe(0);
  });

  it('names only match members of objects, never array properties or inherited ones', () => {
    expect(() => eval_('$.length', [1, 2, 3])).toThrow(TransformDataError);
    expect(eval_('$.length', { length: 5 })).toBe(5);
    expect(() => eval_('$.toString', { a: 1 })).toThrow(/has no member `toString`/);
    expect(eval_("$['0']", { '0': 'zero' })).toBe('zero');
    expect(eval_("$['my col']", { 'my col': 1 })).toBe(1);
    expect(eval_('$.x-y', { 'x-y': 2 })).toBe(2);
  });

  it('an index outside the record is an error ("If you specify indexes that aren\'t within the dimension size … you get an error")', () => {
    for (const p of ['$[3]', '$[-4]', '$[0,3]', '$[1:3]', '$[3:]']) {
      expect(() => eval_(p, ['a', 'b', 'c']), p).toThrow(/outside the record's 3 elements/);
    }
    expect(eval_('$[-3]', ['a', 'b', 'c'])).toBe('a');
    expect(eval_('$[2:1]', ['a', 'b', 'c'])).toEqual([]);
  });

  it('a missing member of a single-valued path is an error; of a multi-valued path, no match', () => {
    expect(() => eval_('$.features', { id: 1 })).toThrow('JsonPath $.features: the record has no member `features`');
    expect(eval_("$['id','missing']", { id: 1 })).toEqual({ id: 1 });
    expect(() => eval_('$[0]', { a: 1 })).toThrow(/an index applies to an array, the record has an object/);
  });

  it.each([
    ['features', /root element `\$` is required/],
    ['$..a', /deep scan `\.\.` is not supported/],
    ['$.', /a name is expected/],
    ['$[?(@.a>1)]', /unsupported selector/],
    ['$[(@.length-1)]', /unsupported selector/],
    ['$[0:4:2]', /unsupported selector/],
    ['$[1', /is not closed/],
    ["$['a',1]", /malformed name list/],
    ["$['a'", /is not closed/],
    ['$.a!', /unsupported name/],
    ['$ x', /unexpected ` `/],
  ])('rejects %s', (path, message) => {
    expect(() => parseJsonPath(path)).toThrow(message);
  });

  it('tells which paths are index-only (the only ones a CSV row takes)', () => {
    expect(parseJsonPath('$[1:]').indexOnly).toBe(true);
    expect(parseJsonPath('$[*]').indexOnly).toBe(true);
    expect(parseJsonPath('$').indexOnly).toBe(true);
    expect(parseJsonPath('$.features').indexOnly).toBe(false);
    expect(parseJsonPath("$['a']").indexOnly).toBe(false);
  });
});

describe('the characters CreateTransformJob accepts', () => {
  it('refuses `_` (aws/aws-sdk#184) and anything outside letters, digits and the listed operators', () => {
    expect(unsupportedCharacter("$['account_id','SageMakerOutput']")).toBe('_');
    expect(unsupportedCharacter('$[?(@.a)]')).toBe('?');
    expect(unsupportedCharacter('$..a')).toBeUndefined(); // dots are operators; the deep scan fails later, at run time
    for (const ok of ['$', '$[1:]', '$[0,-1]', "$['id','SageMakerOutput']", '$.features', '$.id.*', '$[0, 5:]']) expect(unsupportedCharacter(ok), ok).toBeUndefined();
  });
});
