import { describe, expect, it } from 'vitest';
import {
  InvalidRequestError,
  formatPredictions,
  invokeLinearLearner,
  parseLinearLearnerModel,
  parseRecords,
  predictOne,
  responseType,
  serializeLinearLearnerModel,
} from './linear-learner.js';

const regressor = parseLinearLearnerModel(JSON.stringify({ predictor_type: 'regressor', feature_dim: 3, weights: [1, 2, -1], bias: 0.5 }));
const binary = parseLinearLearnerModel(JSON.stringify({ predictor_type: 'binary_classifier', feature_dim: 2, weights: [2, -1], bias: 0 }));

describe('model file', () => {
  it('round-trips through serializeLinearLearnerModel', () => {
    expect(parseLinearLearnerModel(serializeLinearLearnerModel(regressor))).toEqual(regressor);
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[1]', /JSON object/],
    ['{"predictor_type":"multiclass_classifier","feature_dim":1,"weights":[1],"bias":0}', /predictor_type must be/],
    ['{"predictor_type":"regressor","feature_dim":0,"weights":[],"bias":0}', /feature_dim must be a positive integer/],
    ['{"predictor_type":"regressor","feature_dim":2,"weights":[1],"bias":0}', /weights must be 2 finite numbers/],
    ['{"predictor_type":"regressor","feature_dim":1,"weights":["1"],"bias":0}', /weights must be 1 finite numbers/],
    ['{"predictor_type":"regressor","feature_dim":1,"weights":[1]}', /bias must be a finite number/],
  ])('refuses %s', (text, message) => {
    expect(() => parseLinearLearnerModel(text)).toThrow(message);
  });
});

describe('math', () => {
  it('a regressor scores w·x + b', () => {
    expect(predictOne(regressor, [1, 1, 1])).toEqual({ score: 2.5 });
    expect(predictOne(regressor, [0, 0, 0])).toEqual({ score: 0.5 });
  });

  it('a binary classifier scores sigmoid(w·x + b) and labels at 0.5', () => {
    const p = predictOne(binary, [1, 1]); // z = 1
    expect(p.score).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(p.predicted_label).toBe(1);
    expect(predictOne(binary, [0, 0])).toEqual({ score: 0.5, predicted_label: 1 });
    expect(predictOne(binary, [0, 1]).predicted_label).toBe(0);
  });
});

describe('request formats', () => {
  it('reads CSV: one record per line, CRLF, blank lines, spaces and a charset parameter', () => {
    expect(parseRecords('1,2,3\r\n\n4, 5 ,6\n', 'text/csv; charset=utf-8', 3)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('reads JSON instances, a single features object and the dense data form', () => {
    expect(parseRecords('{"instances":[{"features":[1,2]},{"features":[3,4]}]}', 'application/json', 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(parseRecords('{"features":[1,2]}', 'application/json', 2)).toEqual([[1, 2]]);
    expect(parseRecords('{"instances":[{"data":{"features":{"values":[5,6]}}}]}', 'application/json', 2)).toEqual([[5, 6]]);
  });

  it('reads JSON Lines', () => {
    expect(parseRecords('{"features":[1,2]}\n{"features":[3,4]}\n', 'application/jsonlines', 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it.each([
    ['1,2', 'text/csv', 400, /line 1 has 2 features; the model expects 3/],
    ['1,x,3', 'text/csv', 400, /line 1, column 2: "x" is not a number/],
    ['1,,3', 'text/csv', 400, /column 2/],
    ['\n\n', 'text/csv', 400, /no records/],
    ['{"features":[1,2]}', 'application/json', 400, /has 2 features; the model expects 3/],
    ['{"instances":[{"features":[1,2,"3"]}]}', 'application/json', 400, /features\[2\] is not a number/],
    ['{"instances":[]}', 'application/json', 400, /no records/],
    ['{"rows":[1,2,3]}', 'application/json', 400, /no "features" array/],
    ['{oops', 'application/json', 400, /not valid JSON/],
    ['{"features":[1,2,3]}\n{bad', 'application/jsonlines', 400, /line 2 is not valid JSON/],
    ['1,2,3', 'application/x-recordio-protobuf', 415, /not supported/],
  ])('refuses %j as %s with %i', (body, type, status, message) => {
    try {
      parseRecords(body, type, 3);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidRequestError);
      expect((e as InvalidRequestError).status).toBe(status);
      expect((e as Error).message).toMatch(message);
    }
  });
});

describe('response formats', () => {
  it('chooses by Accept, JSON by default', () => {
    expect(responseType(undefined)).toBe('application/json');
    expect(responseType('*/*')).toBe('application/json');
    expect(responseType('text/csv')).toBe('text/csv');
    expect(responseType('application/xml, text/csv;q=0.9')).toBe('text/csv');
    expect(responseType('application/jsonlines')).toBe('application/jsonlines');
    expect(() => responseType('application/xml')).toThrow(/accept type application\/xml is not supported/);
  });

  it('writes AWS JSON and JSON Lines, and CSV lines (score; predicted_label,score)', () => {
    const reg = [{ score: 1.5 }, { score: -2 }];
    const bin = [{ score: 0.75, predicted_label: 1 as const }];
    expect(JSON.parse(formatPredictions(reg, 'application/json'))).toEqual({ predictions: [{ score: 1.5 }, { score: -2 }] });
    expect(JSON.parse(formatPredictions(bin, 'application/json'))).toEqual({ predictions: [{ score: 0.75, predicted_label: 1 }] });
    expect(formatPredictions(bin, 'application/jsonlines')).toBe('{"score":0.75,"predicted_label":1}\n');
    expect(formatPredictions(reg, 'text/csv')).toBe('1.5\n-2\n');
    expect(formatPredictions(bin, 'text/csv')).toBe('1,0.75\n');
  });
});

describe('invokeLinearLearner', () => {
  it('answers 200 with the chosen type', () => {
    const out = invokeLinearLearner(regressor, '1,1,1\n0,0,0', 'text/csv', 'application/json');
    expect(out).toEqual({ status: 200, contentType: 'application/json', body: '{"predictions":[{"score":2.5},{"score":0.5}]}' });
  });

  it('turns refused requests into 4xx JSON messages', () => {
    const out = invokeLinearLearner(binary, '1,2,3', 'text/csv', undefined);
    expect(out.status).toBe(400);
    expect(JSON.parse(out.body).message).toMatch(/has 3 features; the model expects 2/);
    expect(invokeLinearLearner(binary, '1,2', 'text/csv', 'image/png').status).toBe(406);
    expect(invokeLinearLearner(binary, '1,2', 'text/plain', undefined).status).toBe(415);
  });
});
