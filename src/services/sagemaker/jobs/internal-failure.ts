/**
 * A job runner that throws — a bug or an internal fault, not the job's own failure — must not leave the job
 * InProgress forever: the job fails with an InternalServerError reason, or, when its RetryStrategy allows another
 * attempt, runs again (AWS retries a job that failed on an InternalServerError, MaximumRetryAttempts times).
 */
import type { JobRecords } from './records.js';
import type { JobRunner, JobScheduler } from './scheduler.js';

export interface GuardDeps {
  readonly records: JobRecords;
  readonly scheduler: Pick<JobScheduler, 'submit'>;
  readonly log?: (message: string) => void;
}

export function guardRunner(deps: GuardDeps, statusField: string, run: JobRunner): JobRunner {
  const guarded: JobRunner = async (arn, control) => {
    try {
      await run(arn, control);
    } catch (e) {
      if (control.stopReason === 'shutdown') return;
      deps.log?.(`sagemaker: job ${arn} failed inside mlzone: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      const record = await deps.records.get(arn);
      if (!record) return;
      const attempt = (record.doc.__attempt ?? 1) + 1;
      const allowed = Number((record.doc.RetryStrategy as { MaximumRetryAttempts?: number } | undefined)?.MaximumRetryAttempts ?? 0);
      if (attempt <= allowed + 1 && !control.stopped) {
        await deps.records.update(arn, statusField, (d) => ({ ...d, __attempt: attempt }));
        if (statusField === 'TrainingJobStatus') await deps.records.secondary(arn, 'Restarting', `Retrying the job after an internal error (attempt ${attempt})`);
        deps.scheduler.submit(arn, guarded);
        return;
      }
      const reason = `InternalServerError: mlzone could not run the job: ${e instanceof Error ? e.message : String(e)}`.slice(0, 1024);
      await deps.records.update(arn, statusField, (d) => ({ ...d, [statusField]: 'Failed', FailureReason: reason }));
    }
  };
  return guarded;
}
