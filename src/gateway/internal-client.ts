/**
 * Calls mlzone makes on a principal's behalf (a pipeline step starting a job, an event rule delivering to
 * a target, a job reading S3): the same validation, IAM authorization, handler and audit as an HTTP call,
 * without bytes or signatures. The caller says who acts (`principal`, e.g. a role session or a service
 * principal) and on whose behalf (`via`: `aws:SourceArn`, `aws:SourceAccount`, `aws:CalledVia`).
 */
import type { RequestContext } from '../core/context.js';
import { AwsError } from '../core/errors.js';
import { ids } from '../core/ids.js';
import type { Principal } from '../core/principal.js';
import { executeOperation, type PipelineDeps } from './pipeline.js';

export interface InternalCall {
  readonly service: string;
  readonly operation: string;
  readonly input: Record<string, unknown>;
  readonly principal: Principal;
  readonly region?: string;
  readonly via?: RequestContext['via'];
}

/** The port services and runtimes receive; they never see the gateway itself. */
export interface InternalClient {
  call<O = unknown>(call: InternalCall): Promise<O>;
}

export function createInternalClient(deps: Pick<PipelineDeps, 'services' | 'authorizer' | 'audit' | 'onDecision' | 'region' | 'now'>): InternalClient {
  return {
    async call<O>(c: InternalCall): Promise<O> {
      const svc = deps.services.get(c.service);
      const op = svc?.model.operations[c.operation];
      if (!svc || !op) throw new AwsError('InternalFailure', `internal call to unknown operation ${c.service}:${c.operation}`, { status: 500 });
      const ctx: RequestContext = {
        requestId: ids.requestId(),
        service: c.service,
        operation: c.operation,
        region: c.region ?? deps.region,
        principal: c.principal,
        accountId: c.principal.accountId,
        sourceIp: c.principal.service ?? 'mlzone.internal',
        userAgent: 'mlzone-internal',
        now: deps.now(),
        secureTransport: true,
        via: c.via,
      };
      return (await executeOperation(deps, svc, op, c.input, ctx)) as O;
    },
  };
}

/** The principal a service acts as when it calls with its own identity (`sagemaker.amazonaws.com`). */
export function servicePrincipal(service: string): Principal {
  return { type: 'AWSService', accountId: '', arn: service, userId: service, service };
}
