import { describe, expect, it } from 'vitest';
import { endpointStateEvent, jobStateEvent, modelPackageStateEvent } from './state-events.js';

const JOB = 'arn:aws:sagemaker:us-east-1:444444444444:training-job/j';

describe('SageMaker state-change events', () => {
  it('a job: on a status or secondary status change, with the Describe answer and epoch-millisecond times', () => {
    const before = { TrainingJobName: 'j', TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training', __attempt: 1 };
    const after = { ...before, TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed', TrainingEndTime: '2026-12-06T13:00:00.000Z' };
    const e = jobStateEvent('training-job', JOB, before, after, 'TrainingJobStatus', 5)!;
    expect(e).toMatchObject({ source: 'aws.sagemaker', detailType: 'SageMaker Training Job State Change', account: '444444444444', region: 'us-east-1', resources: [JOB] });
    expect(e.detail).toEqual({ TrainingJobName: 'j', TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed', TrainingEndTime: Date.parse('2026-12-06T13:00:00.000Z') });
    expect(jobStateEvent('training-job', JOB, after, { ...after, FinalMetricDataList: [] }, 'TrainingJobStatus', 5)).toBeUndefined();
    expect(jobStateEvent('processing-job', JOB, { ProcessingJobStatus: 'InProgress' }, { ProcessingJobStatus: 'Failed' }, 'ProcessingJobStatus', 5)?.detailType).toBe('SageMaker Processing Job State Change');
  });

  it('an endpoint: its status in upper snake case, as AWS’s samples show', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:666666666666:endpoint/e';
    expect(endpointStateEvent(arn, { EndpointStatus: 'Creating' }, { EndpointName: 'e', EndpointStatus: 'InService', __plan: {} }, 1)?.detail).toEqual({ EndpointName: 'e', EndpointStatus: 'IN_SERVICE' });
    expect(endpointStateEvent(arn, { EndpointStatus: 'InService' }, { EndpointStatus: 'InService' }, 1)).toBeUndefined();
  });

  it('a model package: on creation and on an approval change only', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:444444444444:model-package/g/1';
    expect(modelPackageStateEvent(arn, undefined, { ModelApprovalStatus: 'PendingManualApproval' }, 1)?.detailType).toBe('SageMaker Model Package State Change');
    expect(modelPackageStateEvent(arn, { ModelApprovalStatus: 'PendingManualApproval' }, { ModelApprovalStatus: 'Approved' }, 1)?.detail).toEqual({ ModelApprovalStatus: 'Approved' });
    expect(modelPackageStateEvent(arn, { ModelApprovalStatus: 'Approved' }, { ModelApprovalStatus: 'Approved', ApprovalDescription: 'x' }, 1)).toBeUndefined();
  });
});
