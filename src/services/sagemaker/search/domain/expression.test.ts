import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../../core/errors.js';
import type { Filter, SearchExpression } from '../../api.gen.js';
import { checkExpression, matches, operatorOf } from './expression.js';

const pkg = {
  ModelPackageGroupName: 'churn',
  ModelPackageVersion: 3,
  ModelApprovalStatus: 'Approved',
  CreationTime: '2026-01-10T00:00:00.000Z',
  InferenceSpecification: {
    Containers: [
      { Image: 'xgb:1', ModelDataUrl: 's3://m/a.tar.gz' },
      { Image: 'sk:2', ModelDataUrl: 's3://m/b.tar.gz' },
    ],
  },
  CustomerMetadataProperties: { owner: 'ana' },
  Tags: [{ Key: 'team', Value: 'risk' }],
};

const job = {
  TrainingJobName: 'train-1',
  HyperParameters: { learning_rate: '0.3', max_depth: '6' },
  FinalMetricDataList: [
    { MetricName: 'validation:auc', Value: 0.93, Timestamp: '2026-01-10T00:00:00.000Z' },
    { MetricName: 'train:loss', Value: 0.2, Timestamp: '2026-01-10T00:00:00.000Z' },
  ],
  InputDataConfig: [
    { ChannelName: 'train', DataSource: { S3DataSource: { S3Uri: 's3://data/train/' } } },
    { ChannelName: 'validation', DataSource: { S3DataSource: { S3Uri: 's3://data/catdata/' } } },
  ],
};

const f = (Name: string, Operator?: string, Value?: string): Filter => ({ Name, ...(Operator ? { Operator } : {}), ...(Value !== undefined ? { Value } : {}) });
const pkgMatches = (e: SearchExpression) => matches('ModelPackage', pkg, e);
const jobMatches = (e: SearchExpression) => matches('TrainingJob', job, e);

function validationMessage(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AwsError);
    expect((e as AwsError).code).toBe('ValidationException');
    return (e as AwsError).message;
  }
  throw new Error('expected a ValidationException');
}

describe('operatorOf', () => {
  it('defaults to Equals with a Value and Exists without', () => {
    expect(operatorOf(f('A', undefined, 'x'))).toBe('Equals');
    expect(operatorOf(f('A'))).toBe('Exists');
    expect(operatorOf(f('A', 'NotExists'))).toBe('NotExists');
  });
});

describe('filters', () => {
  it('Equals on top-level members, the default when Operator is omitted', () => {
    expect(pkgMatches({ Filters: [f('ModelPackageGroupName', undefined, 'churn')] })).toBe(true);
    expect(pkgMatches({ Filters: [f('ModelPackageGroupName', 'Equals', 'Churn')] })).toBe(false);
    expect(pkgMatches({ Filters: [f('ModelPackageVersion', 'Equals', '3')] })).toBe(true);
  });

  it('a path through a list matches when any element matches', () => {
    expect(pkgMatches({ Filters: [f('InferenceSpecification.Containers.Image', 'Equals', 'sk:2')] })).toBe(true);
    expect(pkgMatches({ Filters: [f('InferenceSpecification.Containers.Image', 'Contains', 'xgb')] })).toBe(true);
    expect(pkgMatches({ Filters: [f('InferenceSpecification.Containers.Image', 'Equals', 'tf:3')] })).toBe(false);
  });

  it('NotEquals and NotExists negate Equals and Exists (a missing property is not equal)', () => {
    expect(pkgMatches({ Filters: [f('ModelApprovalStatus', 'NotEquals', 'Rejected')] })).toBe(true);
    expect(pkgMatches({ Filters: [f('ModelApprovalStatus', 'NotEquals', 'Approved')] })).toBe(false);
    expect(pkgMatches({ Filters: [f('ApprovalDescription', 'NotEquals', 'x')] })).toBe(true);
    expect(pkgMatches({ Filters: [f('InferenceSpecification.Containers.Image', 'NotEquals', 'sk:2')] })).toBe(false);
    expect(pkgMatches({ Filters: [f('ApprovalDescription', 'NotExists')] })).toBe(true);
    expect(pkgMatches({ Filters: [f('ModelApprovalStatus', 'NotExists')] })).toBe(false);
    expect(pkgMatches({ Filters: [f('ModelApprovalStatus', 'Exists')] })).toBe(true);
    expect(pkgMatches({ Filters: [f('ModelApprovalStatus')] })).toBe(true);
  });

  it('In takes a comma-separated list', () => {
    expect(pkgMatches({ Filters: [f('ModelApprovalStatus', 'In', 'PendingManualApproval,Approved')] })).toBe(true);
    expect(pkgMatches({ Filters: [f('ModelApprovalStatus', 'In', 'PendingManualApproval,Rejected')] })).toBe(false);
  });

  it('timestamps and numbers compare as such', () => {
    expect(pkgMatches({ Filters: [f('CreationTime', 'GreaterThan', '2026-01-01T00:00:00Z')] })).toBe(true);
    expect(pkgMatches({ Filters: [f('CreationTime', 'LessThan', '2026-01-01T00:00:00Z')] })).toBe(false);
    expect(pkgMatches({ Filters: [f('ModelPackageVersion', 'GreaterThanOrEqualTo', '3'), f('ModelPackageVersion', 'LessThan', '4')] })).toBe(true);
  });

  it('tags and map entries', () => {
    expect(pkgMatches({ Filters: [f('Tags.team', 'Equals', 'risk')] })).toBe(true);
    expect(pkgMatches({ Filters: [f('Tags.team', 'Equals', 'fraud')] })).toBe(false);
    expect(pkgMatches({ Filters: [f('Tags.owner', 'Exists')] })).toBe(false);
    expect(pkgMatches({ Filters: [f('CustomerMetadataProperties.owner', 'Equals', 'ana')] })).toBe(true);
  });

  it('training jobs: Metrics.<name> and HyperParameters.<name> (API reference, Filter)', () => {
    expect(jobMatches({ Filters: [f('Metrics.validation:auc', 'GreaterThan', '0.9')] })).toBe(true);
    expect(jobMatches({ Filters: [f('Metrics.validation:auc', 'GreaterThan', '0.95')] })).toBe(false);
    expect(jobMatches({ Filters: [f('Metrics.accuracy', 'Exists')] })).toBe(false);
    expect(jobMatches({ Filters: [f('HyperParameters.learning_rate', 'LessThan', '0.5')] })).toBe(true);
    expect(jobMatches({ Filters: [f('HyperParameters.max_depth', 'Equals', '6')] })).toBe(true);
    expect(jobMatches({ Filters: [f('FinalMetricDataList.MetricName', 'Equals', 'train:loss')] })).toBe(true);
  });
});

describe('combining', () => {
  it('And is the default; Or needs only one', () => {
    const two = [f('ModelPackageGroupName', 'Equals', 'churn'), f('ModelApprovalStatus', 'Equals', 'Rejected')];
    expect(pkgMatches({ Filters: two })).toBe(false);
    expect(pkgMatches({ Filters: two, Operator: 'And' })).toBe(false);
    expect(pkgMatches({ Filters: two, Operator: 'Or' })).toBe(true);
  });

  it('subexpressions nest, each with its own operator', () => {
    const e: SearchExpression = {
      Filters: [f('ModelPackageGroupName', 'Equals', 'churn')],
      SubExpressions: [
        { Operator: 'Or', Filters: [f('ModelApprovalStatus', 'Equals', 'Rejected'), f('Tags.team', 'Equals', 'risk')] },
        { Filters: [f('ModelPackageVersion', 'GreaterThan', '1')] },
      ],
    };
    expect(pkgMatches(e)).toBe(true);
    expect(pkgMatches({ ...e, SubExpressions: [...e.SubExpressions!, { Filters: [f('ModelPackageVersion', 'GreaterThan', '5')] }] })).toBe(false);
  });

  it('nested filters must all hold on the same element', () => {
    const nested = (channel: string, uri: string): SearchExpression => ({
      NestedFilters: [
        {
          NestedPropertyName: 'InputDataConfig',
          Filters: [f('InputDataConfig.ChannelName', 'Equals', channel), f('InputDataConfig.DataSource.S3DataSource.S3Uri', 'Contains', uri)],
        },
      ],
    });
    expect(jobMatches(nested('validation', 'catdata'))).toBe(true);
    // Both values exist, but on different elements.
    expect(jobMatches(nested('train', 'catdata'))).toBe(false);
    // Plain filters do not tie the values to one element.
    expect(jobMatches({ Filters: [f('InputDataConfig.ChannelName', 'Equals', 'train'), f('InputDataConfig.DataSource.S3DataSource.S3Uri', 'Contains', 'catdata')] })).toBe(true);
  });

  it('nested filters over the tag list', () => {
    const e = (key: string, value: string): SearchExpression => ({
      NestedFilters: [{ NestedPropertyName: 'Tags', Filters: [f('Tags.Key', 'Equals', key), f('Tags.Value', 'Equals', value)] }],
    });
    expect(pkgMatches(e('team', 'risk'))).toBe(true);
    expect(pkgMatches(e('team', 'fraud'))).toBe(false);
  });

  it('no expression matches everything', () => {
    expect(matches('ModelPackage', pkg, undefined)).toBe(true);
  });
});

describe('models (the model dashboard record)', () => {
  const model = {
    Model: { ModelName: 'churn-model', CreationTime: '2026-01-10T00:00:00.000Z', PrimaryContainer: { Image: 'xgb:1' }, Tags: [{ Key: 'team', Value: 'risk' }] },
    Endpoints: [{ EndpointName: 'churn-prod', EndpointStatus: 'InService' }],
  };
  it('reads Model.* and Endpoints.*, and also the inner model members and tags without the prefix', () => {
    expect(matches('Model', model, { Filters: [f('Model.ModelName', 'Equals', 'churn-model')] })).toBe(true);
    expect(matches('Model', model, { Filters: [f('ModelName', 'Equals', 'churn-model')] })).toBe(true);
    expect(matches('Model', model, { Filters: [f('Endpoints.EndpointName', 'Equals', 'churn-prod')] })).toBe(true);
    expect(matches('Model', model, { Filters: [f('Tags.team', 'Equals', 'risk')] })).toBe(true);
    expect(matches('Model', model, { Filters: [f('Model.Tags.team', 'Equals', 'risk')] })).toBe(true);
    expect(matches('Model', model, { Filters: [f('PrimaryContainer.Image', 'Equals', 'xgb:1')] })).toBe(true);
  });
});

describe('checkExpression', () => {
  it('accepts what the documentation shows', () => {
    expect(() => checkExpression('TrainingJob', { Filters: [f('Tags.Project', 'Equals', 'x'), f('Metrics.accuracy', 'GreaterThan', '0.9')] })).not.toThrow();
    expect(() => checkExpression('ModelPackage', undefined)).not.toThrow();
  });

  it('requires at least one filter, nested filter or subexpression in every expression', () => {
    expect(validationMessage(() => checkExpression('ModelPackage', {}))).toMatch(/at least one subexpression, filter, or nested filter/);
    expect(() => checkExpression('ModelPackage', { Filters: [f('ModelPackageGroupName', 'Equals', 'a')], SubExpressions: [{}] })).toThrow(AwsError);
  });

  it('allows at most 50 filters, nested filters and subexpressions in all', () => {
    const twenty = Array.from({ length: 20 }, (_, n) => f('ModelPackageGroupName', 'Equals', `g${n}`));
    const ok: SearchExpression = { Filters: twenty, SubExpressions: [{ Filters: twenty.slice(0, 9) }] };
    expect(() => checkExpression('ModelPackage', ok)).not.toThrow(); // 20 + 1 + 9 = 30
    const fifty: SearchExpression = { Filters: twenty, SubExpressions: [{ Filters: twenty.slice(0, 19) }, { Filters: twenty.slice(0, 9) }] };
    expect(() => checkExpression('ModelPackage', fifty)).not.toThrow(); // 20 + 2 + 19 + 9 = 50
    const fiftyOne: SearchExpression = { Filters: twenty, SubExpressions: [{ Filters: twenty.slice(0, 19) }, { Filters: twenty.slice(0, 10) }] };
    expect(validationMessage(() => checkExpression('ModelPackage', fiftyOne))).toBe(
      'The maximum number of recursive SubExpressions, NestedFilters, and Filters that can be included in a SearchExpression object is 50.',
    );
  });

  it('allows one Contains per request, nested and subexpressions included', () => {
    const c = f('ModelPackageGroupName', 'Contains', 'ch');
    expect(() => checkExpression('ModelPackage', { Filters: [c] })).not.toThrow();
    expect(validationMessage(() => checkExpression('ModelPackage', { Filters: [c], SubExpressions: [{ Filters: [c] }] }))).toBe(
      "'CONTAINS' operator usage limit of 1 exceeded.",
    );
    expect(() =>
      checkExpression('ModelPackage', { Filters: [c], NestedFilters: [{ NestedPropertyName: 'InferenceSpecification.Containers', Filters: [f('InferenceSpecification.Containers.Image', 'Contains', 'x')] }] }),
    ).toThrow("'CONTAINS' operator usage limit of 1 exceeded.");
  });

  it('refuses property names the resource does not have', () => {
    expect(validationMessage(() => checkExpression('ModelPackageGroup', { Filters: [f('ModelApprovalStatus', 'Equals', 'Approved')] }))).toBe(
      'Unknown property name: ModelApprovalStatus',
    );
    expect(() => checkExpression('ModelPackage', { NestedFilters: [{ NestedPropertyName: 'Bogus', Filters: [f('Bogus.X', 'Equals', '1')] }] })).toThrow(
      'Unknown property name: Bogus',
    );
    expect(() => checkExpression('ModelPackage', { Filters: [f('Metrics.auc', 'GreaterThan', '1')] })).toThrow('Unknown property name: Metrics.auc');
    expect(() => checkExpression(undefined, { Filters: [f('Anything', 'Equals', '1')] })).not.toThrow();
  });

  it('requires a Value except for Exists and NotExists, and an ordered value for range operators', () => {
    expect(() => checkExpression('ModelPackage', { Filters: [f('ModelApprovalStatus', 'Equals')] })).toThrow(AwsError);
    expect(() => checkExpression('ModelPackage', { Filters: [f('ModelApprovalStatus', 'NotExists')] })).not.toThrow();
    expect(validationMessage(() => checkExpression('ModelPackage', { Filters: [f('ModelPackageGroupName', 'GreaterThan', 'abc')] }))).toMatch(
      /not supported for text properties/,
    );
  });

  it('requires nested filter names to start with the nested property name', () => {
    expect(() =>
      checkExpression('TrainingJob', { NestedFilters: [{ NestedPropertyName: 'InputDataConfig', Filters: [f('ChannelName', 'Equals', 'train')] }] }),
    ).toThrow(/must start with the nested property name InputDataConfig/);
  });
});
