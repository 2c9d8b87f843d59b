import { afterEach, describe, expect, it } from 'vitest';
import { AwsError } from '../../../core/errors.js';
import type { ServiceEvent } from '../../../core/events.js';
import type { Database } from '../../../persistence/db.js';
import { runMigrations } from '../../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { openSqlite } from '../../../persistence/sqlite/index.js';
import type { HostingPorts } from '../hosting/ports.js';
import { migrations } from '../migrations.js';
import { store } from '../store.js';
import { EXECUTION_STATUS_CHANGE, STEP_STATUS_CHANGE } from './events.js';
import { executions } from './execution-store.js';
import { PipelineRunner, type ExecutionDocument, type StepRecord } from './runner.js';

const ACCOUNT = '444444444444';
const PIPELINE = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:pipeline/p`;
const EXECUTION = `${PIPELINE}/execution/e1`;

/** A SageMaker that runs training jobs in name order through `outcomes` (Completed, or a FailureReason). */
function fakeSageMaker(outcomes: string[], existing: Record<string, string> = {}) {
  const created: string[] = [];
  const jobs = new Map<string, string>(Object.entries(existing));
  const call = async ({ operation, input }: { operation: string; input: Record<string, unknown> }) => {
    const name = String(input.TrainingJobName);
    if (operation === 'CreateTrainingJob') {
      created.push(name);
      jobs.set(name, outcomes.shift() ?? 'Completed');
      return { TrainingJobArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${name}` };
    }
    if (operation === 'DescribeTrainingJob') {
      const outcome = jobs.get(name);
      if (outcome === undefined) throw new AwsError('ValidationException', `Requested resource not found.`);
      const failed = outcome !== 'Completed';
      return { TrainingJobName: name, TrainingJobArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${name}`, TrainingJobStatus: failed ? 'Failed' : 'Completed', ...(failed ? { FailureReason: outcome } : {}) };
    }
    if (operation === 'StopTrainingJob') return {};
    throw new Error(`unexpected ${operation}`);
  };
  const ports = {
    internal: () => ({ call }),
    executionRoles: { session: async () => ({ principal: { kind: 'role-session' } }) },
  } as unknown as HostingPorts;
  return { ports, created };
}

function definition(retryPolicies?: unknown[]): string {
  return JSON.stringify({
    Version: '2020-12-01',
    Steps: [{ Name: 'Train', Type: 'Training', Arguments: { RoleArn: 'r', AlgorithmSpecification: {}, OutputDataConfig: {}, ResourceConfig: {}, StoppingCondition: {} }, ...(retryPolicies ? { RetryPolicies: retryPolicies } : {}) }],
  });
}

let db: Database | undefined;
async function execution(def: string, steps: Record<string, StepRecord> = {}) {
  db = openSqlite({ file: ':memory:' });
  await runMigrations(db, migrations);
  const t = Date.now();
  const doc: ExecutionDocument = {
    PipelineArn: PIPELINE,
    PipelineExecutionArn: EXECUTION,
    PipelineExecutionStatus: 'Executing',
    CreationTime: new Date(t).toISOString(),
    LastModifiedTime: new Date(t).toISOString(),
    __definition: def,
    __roleArn: `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution`,
    __pipelineName: 'p',
    __parameters: {},
    __steps: steps,
  };
  await store.insert(db.kysely, { arn: EXECUTION, kind: 'pipeline-execution', accountId: ACCOUNT, region: 'us-east-1', name: 'p/e1', parent: PIPELINE, status: 'Executing', createdAt: t, modifiedAt: t, doc });
  return db;
}

async function run(db: Database, ports: HostingPorts) {
  const events: ServiceEvent[] = [];
  const runner = new PipelineRunner(ports, db, () => Date.now(), { publish: (e) => events.push(e) });
  runner.drive(EXECUTION);
  await runner.settle();
  const r = await executions.get(db.kysely, EXECUTION);
  return { doc: r!.doc, events };
}

afterEach(async () => {
  await db?.close();
  db = undefined;
});

describe('step RetryPolicies', () => {
  it('start a failed job again when a policy covers its failure, counting attempts, and the execution succeeds', async () => {
    const { ports, created } = fakeSageMaker(['InternalServerError: the instance was lost']);
    const { doc, events } = await run(await execution(definition([{ ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR'], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 3 }])), ports);
    expect(doc.PipelineExecutionStatus).toBe('Succeeded');
    expect(created).toHaveLength(2);
    expect(new Set(created).size).toBe(2);
    expect(doc.__steps.Train!.AttemptCount).toBe(2);
    expect(doc.__steps.Train!.__job!.name).toBe(created[1]);
    // The step went Starting → Executing → (failed attempt) Starting → Executing → Succeeded, each an event.
    const steps = events.filter((e) => e.detailType === STEP_STATUS_CHANGE).map((e) => e.detail.currentStepStatus);
    expect(steps).toEqual(['Starting', 'Executing', 'Starting', 'Executing', 'Succeeded']);
    const last = events.filter((e) => e.detailType === EXECUTION_STATUS_CHANGE).at(-1)!;
    expect(last.detail).toMatchObject({ currentPipelineExecutionStatus: 'Succeeded', previousPipelineExecutionStatus: 'Executing', pipelineExecutionArn: EXECUTION });
    expect(last.resources).toEqual([PIPELINE, EXECUTION]);
    expect(events.find((e) => e.detail.currentStepStatus === 'Executing')!.detail.metadata).toEqual({ trainingJob: { arn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${created[0]}` } });
  });

  it('stop at MaxAttempts and fail the step with the last job’s reason', async () => {
    const { ports, created } = fakeSageMaker(['InternalServerError: one', 'InternalServerError: two']);
    const { doc } = await run(await execution(definition([{ ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR'], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 2 }])), ports);
    expect(created).toHaveLength(2);
    expect(doc.PipelineExecutionStatus).toBe('Failed');
    expect(doc.__steps.Train).toMatchObject({ StepStatus: 'Failed', AttemptCount: 2, FailureReason: 'InternalServerError: two' });
  });

  it('do not retry a failure no policy names (the algorithm’s own error)', async () => {
    const { ports, created } = fakeSageMaker(['AlgorithmError: label column missing']);
    const { doc } = await run(await execution(definition([{ ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR'], MaxAttempts: 5 }])), ports);
    expect(created).toHaveLength(1);
    expect(doc.__steps.Train).toMatchObject({ StepStatus: 'Failed', AttemptCount: 1, FailureReason: 'AlgorithmError: label column missing' });
  });
});

describe('a job step caught between recording its job name and the job’s creation (a restart)', () => {
  const starting = (name: string): Record<string, StepRecord> => ({
    Train: { StepName: 'Train', StepStatus: 'Starting', StartTime: new Date().toISOString(), AttemptCount: 1, __job: { kind: 'TrainingJob', name, arn: '' } },
  });

  it('follows the job that exists instead of starting another', async () => {
    const { ports, created } = fakeSageMaker([], { 'pipelines-e1-train-abc': 'Completed' });
    const { doc } = await run(await execution(definition(), starting('pipelines-e1-train-abc')), ports);
    expect(created).toEqual([]);
    expect(doc.PipelineExecutionStatus).toBe('Succeeded');
    expect(doc.__steps.Train!.Metadata).toEqual({ TrainingJob: { Arn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/pipelines-e1-train-abc` } });
  });

  it('creates the job under the recorded name when it never got created', async () => {
    const { ports, created } = fakeSageMaker([]);
    const { doc } = await run(await execution(definition(), starting('pipelines-e1-train-abc')), ports);
    expect(created).toEqual(['pipelines-e1-train-abc']);
    expect(doc.PipelineExecutionStatus).toBe('Succeeded');
  });
});
