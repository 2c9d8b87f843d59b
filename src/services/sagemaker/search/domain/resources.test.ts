import { describe, expect, it } from 'vitest';
import { endpointsServing, isKnownProperty, isSearchable, propertyValues, searchBody, searchRecord } from './resources.js';

const T = '2026-01-15T12:00:00.000Z';

describe('isSearchable', () => {
  it('names the resources mlzone keeps', () => {
    for (const r of ['ModelPackage', 'ModelPackageGroup', 'Endpoint', 'Model', 'TrainingJob']) expect(isSearchable(r)).toBe(true);
    for (const r of ['Experiment', 'Pipeline', 'FeatureGroup', 'toString']) expect(isSearchable(r)).toBe(false);
  });
});

describe('searchBody', () => {
  it('keeps the search shape members of the Describe document and adds the tags', () => {
    const doc = {
      ModelPackageGroupName: 'churn',
      ModelPackageGroupArn: 'arn:aws:sagemaker:us-east-1:1:model-package-group/churn',
      CreationTime: T,
      CreatedBy: {},
      ModelPackageGroupStatus: 'Completed',
      ManagedConfiguration: { X: 1 },
    };
    expect(searchBody('ModelPackageGroup', { doc, tags: [{ Key: 'team', Value: 'risk' }] })).toEqual({
      ModelPackageGroupName: 'churn',
      ModelPackageGroupArn: 'arn:aws:sagemaker:us-east-1:1:model-package-group/churn',
      CreationTime: T,
      CreatedBy: {},
      ModelPackageGroupStatus: 'Completed',
      Tags: [{ Key: 'team', Value: 'risk' }],
    });
  });

  it('leaves Tags out when none are given, even if the document had some', () => {
    expect(searchBody('ModelPackageGroup', { doc: { ModelPackageGroupName: 'g', Tags: [{ Key: 'k', Value: 'v' }] } })).toEqual({ ModelPackageGroupName: 'g' });
  });

  it('drops what only Describe answers carry', () => {
    const endpoint = searchBody('Endpoint', {
      doc: { EndpointName: 'e', EndpointArn: 'arn', EndpointConfigName: 'c', EndpointStatus: 'InService', CreationTime: T, LastModifiedTime: T, LastDeploymentConfig: {}, MetricsConfig: {} },
      tags: [],
    });
    expect(Object.keys(endpoint).sort()).toEqual(['CreationTime', 'EndpointArn', 'EndpointConfigName', 'EndpointName', 'EndpointStatus', 'LastModifiedTime', 'Tags']);
    const pkg = searchBody('ModelPackage', { doc: { ModelPackageName: 'p', ManagedStorageType: 'x', ModelApprovalStatus: 'Approved' }, tags: [] });
    expect(pkg).toEqual({ ModelPackageName: 'p', ModelApprovalStatus: 'Approved', Tags: [] });
  });

  it('nests a model in the model dashboard record with the endpoints that serve it', () => {
    const ep = { EndpointName: 'e', EndpointArn: 'arn:e', CreationTime: T, LastModifiedTime: T, EndpointStatus: 'InService' } as never;
    const body = searchBody('Model', { doc: { ModelName: 'm', ModelArn: 'arn:m', CreationTime: T, ExecutionRoleArn: 'r' }, tags: [{ Key: 'a', Value: 'b' }], endpoints: [ep] });
    expect(body).toEqual({
      Model: { ModelName: 'm', ModelArn: 'arn:m', CreationTime: T, ExecutionRoleArn: 'r', Tags: [{ Key: 'a', Value: 'b' }] },
      Endpoints: [ep],
    });
    expect(searchRecord('Model', body)).toEqual({ Model: body });
  });
});

describe('endpointsServing', () => {
  const configs = [
    { EndpointConfigName: 'cfg-a', ProductionVariants: [{ VariantName: 'v', ModelName: 'Churn-Model' }] },
    { EndpointConfigName: 'cfg-b', ProductionVariants: [{ VariantName: 'v', ModelName: 'other' }], ShadowProductionVariants: [{ VariantName: 's', ModelName: 'churn-model' }] },
    { EndpointConfigName: 'cfg-c', ProductionVariants: [{ VariantName: 'v', ModelName: 'other' }] },
  ];
  const endpoint = (name: string, config: string) => ({
    EndpointName: name,
    EndpointArn: `arn:${name}`,
    EndpointConfigName: config,
    EndpointStatus: 'InService',
    CreationTime: T,
    LastModifiedTime: T,
    ProductionVariants: [],
  });
  it('finds endpoints whose config names the model in a production or shadow variant (names without regard to case)', () => {
    const out = endpointsServing('churn-model', configs, [endpoint('e1', 'cfg-a'), endpoint('e2', 'cfg-b'), endpoint('e3', 'cfg-c')]);
    expect(out).toEqual([
      { EndpointName: 'e1', EndpointArn: 'arn:e1', CreationTime: T, LastModifiedTime: T, EndpointStatus: 'InService' },
      { EndpointName: 'e2', EndpointArn: 'arn:e2', CreationTime: T, LastModifiedTime: T, EndpointStatus: 'InService' },
    ]);
  });
});

describe('property names', () => {
  it('accepts members of the record, tags, the stored times, and metrics for training jobs', () => {
    expect(isKnownProperty('ModelPackage', 'InferenceSpecification.Containers.Image')).toBe(true);
    expect(isKnownProperty('ModelPackage', 'Tags.team')).toBe(true);
    expect(isKnownProperty('ModelPackageGroup', 'LastModifiedTime')).toBe(true);
    expect(isKnownProperty('TrainingJob', 'Metrics.train:loss')).toBe(true);
    expect(isKnownProperty('TrainingJob', 'HyperParameters.eta')).toBe(true);
    expect(isKnownProperty('Model', 'Model.ModelName')).toBe(true);
    expect(isKnownProperty('Model', 'ModelName')).toBe(true);
    expect(isKnownProperty('Model', 'Endpoints.EndpointStatus')).toBe(true);
  });

  it('refuses others', () => {
    expect(isKnownProperty('ModelPackageGroup', 'ModelApprovalStatus')).toBe(false);
    expect(isKnownProperty('Endpoint', 'Metrics.x')).toBe(false);
    expect(isKnownProperty('TrainingJob', 'Metrics')).toBe(false);
    expect(isKnownProperty('ModelPackage', 'toString')).toBe(false);
  });

  it('reads Metrics.<name> from FinalMetricDataList', () => {
    const body = { FinalMetricDataList: [{ MetricName: 'a', Value: 1 }, { MetricName: 'b', Value: 2 }, { MetricName: 'a' }] };
    expect(propertyValues('TrainingJob', body, 'Metrics.a')).toEqual([1]);
    expect(propertyValues('TrainingJob', {}, 'Metrics.a')).toEqual([]);
  });
});
