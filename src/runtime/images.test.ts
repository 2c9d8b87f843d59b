import { describe, expect, it } from 'vitest';
import { awsImageUri, frameworkImageOf, knownImageRegions, parseImageUri } from './images.js';

describe('frameworkImageOf', () => {
  // URIs as sagemaker.image_uris.retrieve() returns them (SageMaker Python SDK image_uri_config).
  it.each([
    ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3', { kind: 'framework', framework: 'sklearn', version: '1.2-1' }],
    ['257758044811.dkr.ecr.us-east-2.amazonaws.com/sagemaker-scikit-learn:1.0-1-cpu-py3', { kind: 'framework', framework: 'sklearn', version: '1.0-1' }],
    ['246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:0.23-1-cpu-py3', { kind: 'framework', framework: 'sklearn', version: '0.23-1' }],
    ['141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3', { kind: 'framework', framework: 'sklearn', version: '1.2-1' }],
    ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-arm64-cpu-py3', { kind: 'framework', framework: 'sklearn', version: '1.2-1' }],
    ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1', { kind: 'framework', framework: 'xgboost', version: '1.7-1' }],
    ['257758044811.dkr.ecr.us-east-2.amazonaws.com/sagemaker-xgboost:1.5-1', { kind: 'framework', framework: 'xgboost', version: '1.5-1' }],
    ['246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3', { kind: 'framework', framework: 'xgboost', version: '1.0-1' }],
    ['141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1', { kind: 'framework', framework: 'xgboost', version: '1.7-1' }],
    ['450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1', { kind: 'framework', framework: 'xgboost', version: '1.7-1' }],
    ['683313688378.dkr.ecr-fips.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1', { kind: 'framework', framework: 'xgboost', version: '1.7-1' }],
    ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost@sha256:0123abcd', { kind: 'framework', framework: 'xgboost' }],
    ['811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1', { kind: 'framework', framework: 'xgboost', version: '1' }],
    ['382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1', { kind: 'builtin', algorithm: 'linear-learner' }],
    ['404615174143.dkr.ecr.us-east-2.amazonaws.com/linear-learner:1', { kind: 'builtin', algorithm: 'linear-learner' }],
    ['174872318107.dkr.ecr.us-west-2.amazonaws.com/linear-learner:1', { kind: 'builtin', algorithm: 'linear-learner' }],
    ['438346466558.dkr.ecr.eu-west-1.amazonaws.com/linear-learner:1', { kind: 'builtin', algorithm: 'linear-learner' }],
    ['111122223333.dkr.ecr.us-east-1.amazonaws.com/mlzone/linear-learner:latest', { kind: 'builtin', algorithm: 'linear-learner' }],
    ['localhost:4566/mlzone/linear-learner', { kind: 'builtin', algorithm: 'linear-learner' }],
    ['linear-learner', { kind: 'builtin', algorithm: 'linear-learner' }],
    ['663277389841.dkr.ecr.us-east-1.amazonaws.com/sagemaker-data-wrangler-container:3.x', { kind: 'data-wrangler', version: '3.x' }],
    ['174368400705.dkr.ecr.us-west-2.amazonaws.com/sagemaker-data-wrangler-container:1.x', { kind: 'data-wrangler', version: '1.x' }],
    ['143210264188.dkr.ecr.af-south-1.amazonaws.com/sagemaker-data-wrangler-container:2.x', { kind: 'data-wrangler', version: '2.x' }],
  ])('%s', (uri, expected) => {
    expect(frameworkImageOf(uri)).toEqual(expected);
  });

  it.each([
    // The right repository in someone else's account (or another region's account) is someone else's image.
    '111122223333.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
    '257758044811.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
    '683313688378.dkr.ecr.us-east-1.amazonaws.com/xgboost:1',
    '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-pytorch:2.1-cpu-py310',
    '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-data-wrangler-container:3.x',
    '111122223333.dkr.ecr.us-east-1.amazonaws.com/my-team/linear-learner-v2:1',
    'sagemaker-scikit-learn:1.2-1-cpu-py3',
    'docker.io/library/python:3.11',
    '',
    'not an image',
  ])('%j is not served by mlzone itself', (uri) => {
    expect(frameworkImageOf(uri)).toBeUndefined();
  });

  it('recognises the SDK URI of every known region', () => {
    expect(knownImageRegions().length).toBeGreaterThanOrEqual(30);
    for (const region of knownImageRegions()) {
      expect(frameworkImageOf(awsImageUri('sklearn', region) as string)).toEqual({ kind: 'framework', framework: 'sklearn', version: '1.2-1' });
      expect(frameworkImageOf(awsImageUri('xgboost', region, '1.5-1') as string)).toEqual({ kind: 'framework', framework: 'xgboost', version: '1.5-1' });
      expect(frameworkImageOf(awsImageUri('linear-learner', region) as string)).toEqual({ kind: 'builtin', algorithm: 'linear-learner' });
    }
  });
});

describe('awsImageUri', () => {
  it('writes the URIs the SDK writes', () => {
    expect(awsImageUri('sklearn', 'us-east-1')).toBe('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3');
    expect(awsImageUri('xgboost', 'cn-northwest-1', '1.7-1')).toBe('451049120500.dkr.ecr.cn-northwest-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1');
    expect(awsImageUri('linear-learner', 'us-east-1')).toBe('382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1');
    expect(awsImageUri('data-wrangler', 'us-east-1')).toBe('663277389841.dkr.ecr.us-east-1.amazonaws.com/sagemaker-data-wrangler-container:3.x');
    expect(frameworkImageOf(awsImageUri('data-wrangler', 'eu-west-2', '2.x') as string)).toEqual({ kind: 'data-wrangler', version: '2.x' });
    expect(awsImageUri('data-wrangler', 'ca-west-1')).toBeUndefined();
    expect(awsImageUri('sklearn', 'mars-north-1')).toBeUndefined();
  });
});

describe('parseImageUri', () => {
  it('splits registry, repository, tag and digest like Docker', () => {
    expect(parseImageUri('localhost:5000/team/model:v1@sha256:ab')).toEqual({ registry: 'localhost:5000', repository: 'team/model', tag: 'v1', digest: 'sha256:ab' });
    expect(parseImageUri('team/model')).toEqual({ registry: undefined, repository: 'team/model', tag: undefined, digest: undefined });
    expect(parseImageUri('model:')).toBeUndefined();
  });
});
