/**
 * Amazon SageMaker Runtime for mlzone (REST-JSON): InvokeEndpoint and InvokeEndpointWithResponseStream on the
 * endpoints the SageMaker service runs. The handlers are thin: routing, the container call and AWS's error
 * mapping live in the SageMaker service's hosting area (`EndpointInvoker`).
 */
import type { ServiceDefinition } from '../../core/service.js';
import type { EndpointInvoker } from '../sagemaker/index.js';
import { runtimeAuthz } from './authz.js';
import { runtimeHandlers } from './handlers.js';

export interface SageMakerRuntimeDeps {
  readonly endpoints: EndpointInvoker;
}

export function createSageMakerRuntimeService(deps: SageMakerRuntimeDeps): { definition: ServiceDefinition } {
  return { definition: { name: 'sagemaker-runtime', handlers: runtimeHandlers(deps.endpoints) as ServiceDefinition['handlers'], authz: runtimeAuthz as ServiceDefinition['authz'] } };
}
