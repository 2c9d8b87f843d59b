/** InvokeEndpoint and InvokeEndpointWithResponseStream: the request's members in, the container's answer out. */
import type { RequestContext } from '../../core/context.js';
import type { EndpointInvoker, InvokeRequest } from '../sagemaker/index.js';
import type { InvokeEndpointInput, SageMakerRuntimeHandlers } from './api.gen.js';

function request(i: Pick<InvokeEndpointInput, 'EndpointName' | 'Body' | 'ContentType' | 'Accept' | 'CustomAttributes' | 'TargetVariant' | 'InferenceId'>, rc: RequestContext): InvokeRequest {
  return {
    accountId: rc.accountId,
    region: rc.region,
    endpointName: i.EndpointName,
    body: i.Body ?? new Uint8Array(0),
    ...(i.ContentType !== undefined ? { contentType: i.ContentType } : {}),
    ...(i.Accept !== undefined ? { accept: i.Accept } : {}),
    ...(i.CustomAttributes !== undefined ? { customAttributes: i.CustomAttributes } : {}),
    ...(i.TargetVariant !== undefined ? { targetVariant: i.TargetVariant } : {}),
    ...(i.InferenceId !== undefined ? { inferenceId: i.InferenceId } : {}),
  };
}

export function runtimeHandlers(endpoints: EndpointInvoker): SageMakerRuntimeHandlers {
  return {
    InvokeEndpoint: async (i, rc) => {
      const out = await endpoints.invoke(request(i, rc));
      return {
        Body: out.response.body,
        ContentType: out.response.contentType ?? 'application/octet-stream',
        InvokedProductionVariant: out.variant,
        ...(out.response.customAttributes !== undefined ? { CustomAttributes: out.response.customAttributes } : {}),
      };
    },
    InvokeEndpointWithResponseStream: async (i, rc) => {
      const out = await endpoints.invokeStream(request(i, rc));
      async function* events() {
        for await (const chunk of out.response.chunks) yield { PayloadPart: { Bytes: chunk } };
      }
      return {
        Body: events() as never,
        ContentType: out.response.contentType ?? 'application/octet-stream',
        InvokedProductionVariant: out.variant,
        ...(out.response.customAttributes !== undefined ? { CustomAttributes: out.response.customAttributes } : {}),
      };
    },
  };
}
