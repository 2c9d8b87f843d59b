/** The pipelines area: pipelines with versions, and executions that really run (runner.ts). */
import type { AreaContext, SageMakerAuthz, SageMakerHandlers } from '../context.js';
import type { HostingPorts } from '../hosting/ports.js';
import { pipelineAuthz } from './authz.js';
import { pipelineHandlers } from './handlers.js';
import { PipelineRunner } from './runner.js';
import type { JobWatch } from '../jobs/watch.js';

export interface Pipelines {
  readonly handlers: SageMakerHandlers;
  readonly authz: SageMakerAuthz;
  resume(): Promise<void>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function createPipelines(ctx: AreaContext, ports: HostingPorts, watch: JobWatch): Pipelines {
  const runner = new PipelineRunner(ports, ctx.db, () => ctx.clock.now(), ctx.events, watch);
  return {
    handlers: pipelineHandlers(ctx, ports, runner),
    authz: pipelineAuthz,
    resume: () => runner.resume(),
    settle: () => runner.settle(),
    close: () => runner.close(),
  };
}
