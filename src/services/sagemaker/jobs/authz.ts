/**
 * What IAM must allow for jobs: the action on the job's ARN in the caller's account, `sagemaker:AddTags` with the
 * request's tags when it tags on create, and `iam:PassRole` on the role the job runs as (with `iam:PassedToService`),
 * so a caller can only start work as a role it may hand to SageMaker.
 */
import type { RequestContext } from '../../../core/context.js';
import { parseIamEntityArn } from '../../../core/arn.js';
import type { AuthzRequest } from '../../../core/service.js';
import type { SageMakerAuthz } from '../context.js';
import { sagemakerArn, type ResourceKind } from '../domain/arns.js';
import { requestTags, sm } from '../domain/authz.js';

type Tags = ReadonlyArray<{ Key: string; Value?: string }> | undefined;

function on(action: string, rc: RequestContext, kind: ResourceKind, name: string, context: Record<string, string | readonly string[]> = {}): AuthzRequest {
  return { action: sm(action), resource: sagemakerArn(rc.region, rc.accountId, kind, name), resourceAccount: rc.accountId, context };
}

function passRole(roleArn: string | undefined): AuthzRequest[] {
  if (!roleArn) return [];
  const role = parseIamEntityArn(roleArn);
  return [{ action: 'iam:PassRole', resource: roleArn, ...(role ? { resourceAccount: role.accountId } : {}), context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } }];
}

function creating(action: string, rc: RequestContext, kind: ResourceKind, name: string, tags: Tags, roleArn?: string): AuthzRequest[] {
  const ctx = requestTags(tags);
  return [on(action, rc, kind, name, ctx), ...(tags && tags.length > 0 ? [on('AddTags', rc, kind, name, ctx)] : []), ...passRole(roleArn)];
}

const LIST = (action: string) => (_i: unknown, rc: RequestContext): AuthzRequest[] => [{ action: sm(action), resource: '*', resourceAccount: rc.accountId }];

export const jobAuthz: SageMakerAuthz = {
  CreateTrainingJob: (i, rc) => creating('CreateTrainingJob', rc, 'training-job', i.TrainingJobName, i.Tags, i.RoleArn),
  DescribeTrainingJob: (i, rc) => [on('DescribeTrainingJob', rc, 'training-job', i.TrainingJobName)],
  ListTrainingJobs: LIST('ListTrainingJobs'),
  StopTrainingJob: (i, rc) => [on('StopTrainingJob', rc, 'training-job', i.TrainingJobName)],
  CreateProcessingJob: (i, rc) => creating('CreateProcessingJob', rc, 'processing-job', i.ProcessingJobName, i.Tags, i.RoleArn),
  DescribeProcessingJob: (i, rc) => [on('DescribeProcessingJob', rc, 'processing-job', i.ProcessingJobName)],
  ListProcessingJobs: LIST('ListProcessingJobs'),
  StopProcessingJob: (i, rc) => [on('StopProcessingJob', rc, 'processing-job', i.ProcessingJobName)],
  // The model's own execution role reads and writes the data; the caller names the model, it passes no role.
  CreateTransformJob: (i, rc) => creating('CreateTransformJob', rc, 'transform-job', i.TransformJobName, i.Tags),
  DescribeTransformJob: (i, rc) => [on('DescribeTransformJob', rc, 'transform-job', i.TransformJobName)],
  ListTransformJobs: LIST('ListTransformJobs'),
  StopTransformJob: (i, rc) => [on('StopTransformJob', rc, 'transform-job', i.TransformJobName)],
};
