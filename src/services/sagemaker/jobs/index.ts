/**
 * The jobs area: training and processing jobs that really run, on a pool of slots, as their execution role.
 * `restore()` after a start runs again what was InProgress (a job's checkpoints are restored from S3 when it has a
 * CheckpointConfig) with a secondary status that says so, and ends what was Stopping.
 */
import { JobWatch } from './watch.js';
import { jobStateEvent } from '../domain/state-events.js';
import type { RuntimeImage } from '../../../runtime/types.js';
import type { AreaContext, SageMakerAuthz, SageMakerHandlers } from '../context.js';
import type { HostingPorts } from '../hosting/ports.js';
import { store } from '../store.js';
import { jobAuthz } from './authz.js';
import { jobHandlers } from './handlers.js';
import type { MetricDefinition } from './job-log.js';
import { runProcessing } from './processing.js';
import { JobRecords } from './records.js';
import { JobScheduler, type JobRunner } from './scheduler.js';
import { guardRunner } from './internal-failure.js';
import { runTraining } from './training.js';
import { runTransform } from './transform.js';
import type { Deployer } from '../hosting/deployer.js';

export interface Jobs {
  readonly handlers: SageMakerHandlers;
  readonly authz: SageMakerAuthz;
  restore(): Promise<void>;
  settle(): Promise<void>;
  close(): Promise<void>;
  running(): string[];
  /** Wakes pipeline steps when their job's record changes. */
  readonly watch: JobWatch;
}

export function createJobs(ctx: AreaContext, ports: HostingPorts, deployer: Deployer, builtinMetrics: (image: RuntimeImage, hyperParameters: Readonly<Record<string, string>>) => readonly MetricDefinition[]): Jobs {
  const now = () => ctx.clock.now();
  const watch = new JobWatch();
  const records = new JobRecords(ctx.db, now, (c) => {
    watch.changed(c.arn);
    const event = ctx.events && jobStateEvent(c.kind, c.arn, c.before, c.after, c.statusField, c.at);
    if (event) ctx.events!.publish(event);
  });
  const scheduler = new JobScheduler(ports.jobConcurrency, (m) => ports.log?.(m));
  const deps = { ports, records, db: ctx.db, now, builtinMetrics };
  const guarded = (statusField: string, run: JobRunner): JobRunner => guardRunner({ records, scheduler, ...(ports.log ? { log: ports.log } : {}) }, statusField, run);
  const training = guarded('TrainingJobStatus', (arn, control) => runTraining(deps, arn, control));
  const processing = guarded('ProcessingJobStatus', (arn, control) => runProcessing(deps, arn, control));
  const transform = guarded('TransformJobStatus', (arn, control) => runTransform({ ...deps, deployer }, arn, control));
  return {
    watch,
    handlers: jobHandlers(ctx, scheduler, records, { training, processing, transform }),
    authz: jobAuthz,
    async restore() {
      const message = 'mlzone restarted while the job ran: it runs again from its last checkpoint, or from the start';
      for (const r of await store.allOf(ctx.db.kysely, 'training-job')) {
        if (r.status === 'InProgress') {
          await records.secondary(r.arn, 'Restarting', message);
          scheduler.submit(r.arn, training);
        } else if (r.status === 'Stopping') {
          await records.secondary(r.arn, 'Stopped', 'Training job stopped by user request', (d) => ({ ...d, TrainingJobStatus: 'Stopped', TrainingEndTime: new Date(now()).toISOString() }));
        }
      }
      for (const r of await store.allOf(ctx.db.kysely, 'processing-job')) {
        if (r.status === 'InProgress') scheduler.submit(r.arn, processing);
        else if (r.status === 'Stopping') await records.update(r.arn, 'ProcessingJobStatus', (d) => ({ ...d, ProcessingJobStatus: 'Stopped', ProcessingEndTime: new Date(now()).toISOString() }));
      }
      for (const r of await store.allOf(ctx.db.kysely, 'transform-job')) {
        if (r.status === 'InProgress') scheduler.submit(r.arn, transform);
        else if (r.status === 'Stopping') await records.update(r.arn, 'TransformJobStatus', (d) => ({ ...d, TransformJobStatus: 'Stopped', TransformEndTime: new Date(now()).toISOString() }));
      }
    },
    settle: () => scheduler.settle(),
    close: () => scheduler.close(),
    running: () => scheduler.runningJobs(),
  };
}
