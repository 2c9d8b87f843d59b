/**
 * What IAM must allow for hosting (service authorization reference, `sagemaker`): the action on the model,
 * endpoint config or endpoint ARN in the caller's account; CreateEndpoint and UpdateEndpoint also on the endpoint
 * config they name; CreateModel also `iam:PassRole` on its execution role (with `iam:PassedToService`) and, for a
 * container deployed from a model package, `sagemaker:CreateModel` on that package — in another account, the
 * package group's policy must grant it.
 */
import type { RequestContext } from '../../../core/context.js';
import type { AuthzRequest } from '../../../core/service.js';
import { parseIamEntityArn } from '../../../core/arn.js';
import type { SageMakerAuthz } from '../context.js';
import { isArn, parseSageMakerArn, sagemakerArn, type ResourceKind } from '../domain/arns.js';
import { onArn, requestTags, sm } from '../domain/authz.js';

function on(action: string, rc: RequestContext, kind: ResourceKind, name: string, context: Record<string, string | readonly string[]> = {}): AuthzRequest {
  return { action: sm(action), resource: sagemakerArn(rc.region, rc.accountId, kind, name), resourceAccount: rc.accountId, context };
}

function withTags(action: string, rc: RequestContext, kind: ResourceKind, name: string, tags: ReadonlyArray<{ Key: string; Value?: string }> | undefined): AuthzRequest[] {
  const ctx = requestTags(tags);
  const out = [on(action, rc, kind, name, ctx)];
  if (tags && tags.length > 0) out.push(on('AddTags', rc, kind, name, ctx));
  return out;
}

const LIST = (action: string) => (_i: unknown, rc: RequestContext): AuthzRequest[] => [{ action: sm(action), resource: '*', resourceAccount: rc.accountId }];

export const hostingAuthz: SageMakerAuthz = {
  CreateModel: (i, rc) => {
    const out = withTags('CreateModel', rc, 'model', i.ModelName, i.Tags);
    if (i.ExecutionRoleArn) {
      const role = parseIamEntityArn(i.ExecutionRoleArn);
      out.push({ action: 'iam:PassRole', resource: i.ExecutionRoleArn, ...(role ? { resourceAccount: role.accountId } : {}), context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    }
    const defs = i.PrimaryContainer ? [i.PrimaryContainer] : (i.Containers ?? []);
    const tags = requestTags(i.Tags);
    for (const d of defs) {
      const pkg = d.ModelPackageName;
      if (pkg === undefined) continue;
      // A package ARN of another kind names nothing to deploy: the handler refuses it, nothing to authorize here.
      if (isArn(pkg)) {
        if (parseSageMakerArn(pkg)?.kind === 'model-package') out.push(onArn('CreateModel', pkg, tags));
      } else out.push(on('CreateModel', rc, 'model-package', pkg, tags));
    }
    return out;
  },
  DescribeModel: (i, rc) => [on('DescribeModel', rc, 'model', i.ModelName)],
  ListModels: LIST('ListModels'),
  DeleteModel: (i, rc) => [on('DeleteModel', rc, 'model', i.ModelName)],
  CreateEndpointConfig: (i, rc) => withTags('CreateEndpointConfig', rc, 'endpoint-config', i.EndpointConfigName, i.Tags),
  DescribeEndpointConfig: (i, rc) => [on('DescribeEndpointConfig', rc, 'endpoint-config', i.EndpointConfigName)],
  ListEndpointConfigs: LIST('ListEndpointConfigs'),
  DeleteEndpointConfig: (i, rc) => [on('DeleteEndpointConfig', rc, 'endpoint-config', i.EndpointConfigName)],
  CreateEndpoint: (i, rc) => [...withTags('CreateEndpoint', rc, 'endpoint', i.EndpointName, i.Tags), on('CreateEndpoint', rc, 'endpoint-config', i.EndpointConfigName, requestTags(i.Tags))],
  DescribeEndpoint: (i, rc) => [on('DescribeEndpoint', rc, 'endpoint', i.EndpointName)],
  ListEndpoints: LIST('ListEndpoints'),
  UpdateEndpoint: (i, rc) => [on('UpdateEndpoint', rc, 'endpoint', i.EndpointName), on('UpdateEndpoint', rc, 'endpoint-config', i.EndpointConfigName)],
  UpdateEndpointWeightsAndCapacities: (i, rc) => [on('UpdateEndpointWeightsAndCapacities', rc, 'endpoint', i.EndpointName)],
  DeleteEndpoint: (i, rc) => [on('DeleteEndpoint', rc, 'endpoint', i.EndpointName)],
};
