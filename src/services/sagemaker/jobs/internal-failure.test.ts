import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../persistence/db.js';
import { runMigrations } from '../../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { openSqlite } from '../../../persistence/sqlite/index.js';
import { migrations } from '../migrations.js';
import { store } from '../store.js';
import { guardRunner } from './internal-failure.js';
import { JobRecords } from './records.js';
import { JobScheduler } from './scheduler.js';

const ARN = 'arn:aws:sagemaker:us-east-1:444444444444:training-job/j';
let db: Database | undefined;

async function setup(retries?: number) {
  db = openSqlite({ file: ':memory:' });
  await runMigrations(db, migrations);
  await store.insert(db.kysely, {
    arn: ARN,
    kind: 'training-job',
    accountId: '444444444444',
    region: 'us-east-1',
    name: 'j',
    status: 'InProgress',
    createdAt: 1,
    modifiedAt: 1,
    doc: { TrainingJobName: 'j', TrainingJobStatus: 'InProgress', ...(retries !== undefined ? { RetryStrategy: { MaximumRetryAttempts: retries } } : {}) },
  });
  return { records: new JobRecords(db, () => Date.now()), scheduler: new JobScheduler(1) };
}

afterEach(async () => {
  await db?.close();
  db = undefined;
});

describe('a job runner that throws', () => {
  it('fails the job with an InternalServerError reason instead of leaving it InProgress', async () => {
    const { records, scheduler } = await setup();
    scheduler.submit(ARN, guardRunner({ records, scheduler }, 'TrainingJobStatus', () => Promise.reject(new Error('disk on fire'))));
    await scheduler.settle();
    const r = await records.get(ARN);
    expect(r?.doc.TrainingJobStatus).toBe('Failed');
    expect(r?.doc.FailureReason).toBe('InternalServerError: mlzone could not run the job: disk on fire');
  });

  it('runs again as many times as RetryStrategy allows, saying so', async () => {
    const { records, scheduler } = await setup(2);
    let runs = 0;
    const run = async () => {
      runs++;
      if (runs < 3) throw new Error(`fault ${runs}`);
      await records.update(ARN, 'TrainingJobStatus', (d) => ({ ...d, TrainingJobStatus: 'Completed' }));
    };
    scheduler.submit(ARN, guardRunner({ records, scheduler }, 'TrainingJobStatus', run));
    await scheduler.settle();
    const r = await records.get(ARN);
    expect(runs).toBe(3);
    expect(r?.doc.TrainingJobStatus).toBe('Completed');
    // Consecutive restarts are one transition whose message names the latest attempt.
    expect(r?.doc.SecondaryStatusTransitions).toEqual([expect.objectContaining({ Status: 'Restarting', StatusMessage: 'Retrying the job after an internal error (attempt 3)' })]);
  });
});
