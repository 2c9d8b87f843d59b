/**
 * What IAM must allow for pipelines: the action on the pipeline ARN (its executions' on the execution ARN,
 * `…:pipeline/<name>/execution/<id>`), `iam:PassRole` on the role a pipeline runs as, and `sagemaker:AddTags` for
 * tags on create. What the pipeline then does, it does as that role: each step's call is authorized for it.
 */
import type { RequestContext } from '../../../core/context.js';
import { parseIamEntityArn } from '../../../core/arn.js';
import type { AuthzRequest } from '../../../core/service.js';
import type { SageMakerAuthz } from '../context.js';
import { isArn, parseSageMakerArn, sagemakerArn } from '../domain/arns.js';
import { onArn, requestTags, sm } from '../domain/authz.js';

function pipeline(action: string, rc: RequestContext, nameOrArn: string, context: Record<string, string | readonly string[]> = {}): AuthzRequest {
  if (isArn(nameOrArn) && parseSageMakerArn(nameOrArn)?.kind === 'pipeline') return onArn(action, nameOrArn, context);
  return { action: sm(action), resource: sagemakerArn(rc.region, rc.accountId, 'pipeline', nameOrArn), resourceAccount: rc.accountId, context };
}

function passRole(roleArn: string | undefined): AuthzRequest[] {
  if (!roleArn) return [];
  const role = parseIamEntityArn(roleArn);
  return [{ action: 'iam:PassRole', resource: roleArn, ...(role ? { resourceAccount: role.accountId } : {}), context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } }];
}

const execution =
  (action: string) =>
  (i: { PipelineExecutionArn?: string }, rc: RequestContext): AuthzRequest[] =>
    // Without an execution (refused by the handler) the request names every execution of the caller's account.
    [i.PipelineExecutionArn ? onArn(action, i.PipelineExecutionArn) : { action: sm(action), resource: `arn:aws:sagemaker:${rc.region}:${rc.accountId}:pipeline/*/execution/*`, resourceAccount: rc.accountId }];

export const pipelineAuthz: SageMakerAuthz = {
  CreatePipeline: (i, rc) => {
    const tags = requestTags(i.Tags);
    return [pipeline('CreatePipeline', rc, i.PipelineName, tags), ...(i.Tags?.length ? [pipeline('AddTags', rc, i.PipelineName, tags)] : []), ...passRole(i.RoleArn)];
  },
  DescribePipeline: (i, rc) => [pipeline('DescribePipeline', rc, i.PipelineName)],
  UpdatePipeline: (i, rc) => [pipeline('UpdatePipeline', rc, i.PipelineName), ...passRole(i.RoleArn)],
  DeletePipeline: (i, rc) => [pipeline('DeletePipeline', rc, i.PipelineName)],
  ListPipelines: (_i, rc) => [{ action: sm('ListPipelines'), resource: '*', resourceAccount: rc.accountId }],
  ListPipelineVersions: (i, rc) => [pipeline('ListPipelineVersions', rc, i.PipelineName)],
  StartPipelineExecution: (i, rc) => [pipeline('StartPipelineExecution', rc, i.PipelineName)],
  ListPipelineExecutions: (i, rc) => [pipeline('ListPipelineExecutions', rc, i.PipelineName)],
  DescribePipelineExecution: execution('DescribePipelineExecution'),
  DescribePipelineDefinitionForExecution: execution('DescribePipelineDefinitionForExecution'),
  ListPipelineExecutionSteps: execution('ListPipelineExecutionSteps'),
  ListPipelineParametersForExecution: execution('ListPipelineParametersForExecution'),
  StopPipelineExecution: execution('StopPipelineExecution'),
  RetryPipelineExecution: execution('RetryPipelineExecution'),
  UpdatePipelineExecution: execution('UpdatePipelineExecution'),
};
