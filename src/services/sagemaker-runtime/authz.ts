/** Invoking an endpoint: `sagemaker:InvokeEndpoint[WithResponseStream]` on the endpoint in the caller's account. */
import type { RequestContext } from '../../core/context.js';
import type { AuthzFn, AuthzRequest } from '../../core/service.js';
import { sagemakerArn } from '../sagemaker/index.js';
import type { SageMakerRuntimeOperations } from './api.gen.js';

type Authz = { [K in keyof SageMakerRuntimeOperations]?: AuthzFn<SageMakerRuntimeOperations[K]['input']> };

const on = (action: string, rc: RequestContext, name: string): AuthzRequest => ({
  action: `sagemaker:${action}`,
  resource: sagemakerArn(rc.region, rc.accountId, 'endpoint', name),
  resourceAccount: rc.accountId,
});

export const runtimeAuthz: Authz = {
  InvokeEndpoint: (i, rc) => [on('InvokeEndpoint', rc, i.EndpointName)],
  InvokeEndpointWithResponseStream: (i, rc) => [on('InvokeEndpointWithResponseStream', rc, i.EndpointName)],
};
