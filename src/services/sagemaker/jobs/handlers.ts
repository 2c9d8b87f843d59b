/**
 * Training and processing jobs: Create writes the job (InProgress) and queues it; the scheduler runs it for real
 * (training.ts, processing.ts). Describe answers the record; a missing job is AWS's ValidationException
 * "Requested resource not found." (the botocore waiters treat it as failure). Stop asks the running job to stop
 * (Stopping, then Stopped once its processes are gone and its partial outputs uploaded).
 */
import { jobStateEvent } from '../domain/state-events.js';
import type { RequestContext } from '../../../core/context.js';
import type { AreaContext, SageMakerHandlers } from '../context.js';
import { sagemakerArn, type ResourceKind } from '../domain/arns.js';
import { errors } from '../domain/errors.js';
import { listPage } from '../domain/listing.js';
import { store, type ResourceRecord } from '../store.js';
import { requestedTags } from '../tags/handlers.js';
import type { JobDocument, JobRecords } from './records.js';
import type { JobRunner, JobScheduler } from './scheduler.js';
import { filterValidationMessage } from '../transform/records.js';
import { validateDatasetInputs } from './dataset.js';

const iso = (ms: number) => new Date(ms).toISOString();

export interface JobKinds {
  readonly training: JobRunner;
  readonly processing: JobRunner;
  readonly transform: JobRunner;
}

const STATUS_FIELDS: Partial<Record<ResourceKind, string>> = { 'training-job': 'TrainingJobStatus', 'processing-job': 'ProcessingJobStatus', 'transform-job': 'TransformJobStatus' };

const OPT_ML_PROCESSING = /^\/opt\/ml\/processing\/[^\0]*$/;

export function jobHandlers(ctx: AreaContext, scheduler: JobScheduler, records: JobRecords, run: JobKinds): SageMakerHandlers {
  async function create(rc: RequestContext, kind: ResourceKind, name: string, doc: JobDocument, tags: ReturnType<typeof requestedTags>, runner: JobRunner, duplicate: (arn: string) => Error): Promise<string> {
    const arn = sagemakerArn(rc.region, rc.accountId, kind, name);
    const t = ctx.clock.now();
    const created = { ...doc, CreationTime: iso(t), LastModifiedTime: iso(t) };
    await ctx.db.transaction(async (trx) => {
      if (await store.get(trx, arn)) throw duplicate(arn);
      await store.insert(trx, { arn, kind, accountId: rc.accountId, region: rc.region, name, status: 'InProgress', createdAt: t, modifiedAt: t, doc: created });
      await store.putTags(trx, arn, tags);
    });
    const event = ctx.events && jobStateEvent(kind, arn, undefined, created, STATUS_FIELDS[kind] ?? '', t);
    if (event) ctx.events!.publish(event);
    scheduler.submit(arn, runner);
    return arn;
  }

  async function found(rc: RequestContext, kind: ResourceKind, name: string): Promise<ResourceRecord<JobDocument>> {
    const r = await store.get<JobDocument>(ctx.db.kysely, sagemakerArn(rc.region, rc.accountId, kind, name));
    if (!r) throw errors.validation('Requested resource not found.');
    return r;
  }

  /** StopXxxJob: a queued job is Stopped at once, a running one goes Stopping and its runner finishes the stop. */
  async function stop(rc: RequestContext, kind: ResourceKind, name: string, statusField: string, what: string): Promise<void> {
    const r = await found(rc, kind, name);
    const status = String(r.doc[statusField]);
    if (status !== 'InProgress') throw errors.validation(`The request was rejected because the ${what} is in status ${status}.`);
    // Stopping is written before the runner is told, so its Stopped cannot be overwritten by this call.
    const where = scheduler.isRunning(r.arn) ? 'running' : 'queued';
    const now = iso(ctx.clock.now());
    if (kind === 'training-job') {
      await records.secondary(r.arn, where === 'running' ? 'Stopping' : 'Stopped', where === 'running' ? 'Stopping the training job' : 'Training job stopped by user request', (d) => ({ ...d, TrainingJobStatus: where === 'running' ? 'Stopping' : 'Stopped', ...(where === 'running' ? {} : { TrainingEndTime: now }) }));
    } else {
      const endField = kind === 'processing-job' ? 'ProcessingEndTime' : 'TransformEndTime';
      await records.update(r.arn, statusField, (d) => ({ ...d, [statusField]: where === 'running' ? 'Stopping' : 'Stopped', ...(where === 'running' ? {} : { [endField]: now }) }));
    }
    scheduler.stop(r.arn);
  }

  return {
    CreateTrainingJob: async (i, rc) => {
      const tags = requestedTags(i.Tags);
      if (!i.AlgorithmSpecification?.TrainingImage) throw errors.validation('AlgorithmSpecification.TrainingImage must be specified: mlzone runs training images, not marketplace algorithms (AlgorithmName).');
      const names = new Set<string>();
      for (const c of i.InputDataConfig ?? []) {
        if (names.has(c.ChannelName)) throw errors.validation(`Channel names must be unique: ${c.ChannelName} is given more than once.`);
        names.add(c.ChannelName);
      }
      for (const m of i.AlgorithmSpecification.MetricDefinitions ?? []) {
        try {
          new RegExp(m.Regex);
        } catch {
          throw errors.validation(`The regular expression of metric definition ${m.Name} is not valid: ${m.Regex}`);
        }
      }
      const doc: JobDocument = {
        TrainingJobName: i.TrainingJobName,
        TrainingJobStatus: 'InProgress',
        SecondaryStatus: 'Starting',
        SecondaryStatusTransitions: [{ Status: 'Starting', StartTime: iso(ctx.clock.now()), StatusMessage: 'Launching requested ML instances' }],
        AlgorithmSpecification: { ...i.AlgorithmSpecification, TrainingInputMode: i.AlgorithmSpecification.TrainingInputMode ?? 'File' },
        RoleArn: i.RoleArn,
        ...(i.HyperParameters ? { HyperParameters: i.HyperParameters } : {}),
        ...(i.InputDataConfig ? { InputDataConfig: i.InputDataConfig } : {}),
        OutputDataConfig: i.OutputDataConfig,
        ResourceConfig: i.ResourceConfig ?? { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: i.StoppingCondition ?? { MaxRuntimeInSeconds: 86_400 },
        ModelArtifacts: { S3ModelArtifacts: '' },
        EnableNetworkIsolation: i.EnableNetworkIsolation ?? false,
        EnableInterContainerTrafficEncryption: i.EnableInterContainerTrafficEncryption ?? false,
        EnableManagedSpotTraining: i.EnableManagedSpotTraining ?? false,
        ...(i.CheckpointConfig ? { CheckpointConfig: i.CheckpointConfig } : {}),
        ...(i.Environment ? { Environment: i.Environment } : {}),
        ...(i.RetryStrategy ? { RetryStrategy: i.RetryStrategy } : {}),
        ...(i.VpcConfig ? { VpcConfig: i.VpcConfig } : {}),
        ...(i.ExperimentConfig ? { ExperimentConfig: i.ExperimentConfig } : {}),
      };
      const arn = await create(rc, 'training-job', i.TrainingJobName, { ...doc, TrainingJobArn: sagemakerArn(rc.region, rc.accountId, 'training-job', i.TrainingJobName) }, tags, run.training, (a) =>
        errors.inUse(`Training job names must be unique within an AWS account and region, and a training job with this name already exists (${a})`),
      );
      return { TrainingJobArn: arn };
    },

    DescribeTrainingJob: async (i, rc) => {
      const r = await found(rc, 'training-job', i.TrainingJobName);
      // The model artifact is named only once it exists.
      const doc = { ...r.doc };
      if ((doc.ModelArtifacts as { S3ModelArtifacts?: string } | undefined)?.S3ModelArtifacts === '') doc.ModelArtifacts = { S3ModelArtifacts: '' };
      return doc as never;
    },

    ListTrainingJobs: async (i, rc) => {
      const all = await store.list<JobDocument>(ctx.db.kysely, { kind: 'training-job', accountId: rc.accountId, region: rc.region });
      const page = listPage(all, { ...i, SortBy: i.SortBy === 'FinalObjectiveMetricValue' ? 'CreationTime' : i.SortBy }, `ListTrainingJobs/${rc.accountId}/${rc.region}`);
      return {
        TrainingJobSummaries: page.items.map((r) => ({
          TrainingJobName: r.name,
          TrainingJobArn: r.arn,
          CreationTime: new Date(r.createdAt),
          LastModifiedTime: new Date(r.modifiedAt),
          TrainingJobStatus: String(r.doc.TrainingJobStatus),
          SecondaryStatus: r.doc.SecondaryStatus as never,
          ...(r.doc.TrainingEndTime ? { TrainingEndTime: new Date(String(r.doc.TrainingEndTime)) } : {}),
        })) as never,
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    StopTrainingJob: async (i, rc) => {
      await stop(rc, 'training-job', i.TrainingJobName, 'TrainingJobStatus', 'training job');
      return {};
    },

    CreateProcessingJob: async (i, rc) => {
      const tags = requestedTags(i.Tags);
      validateDatasetInputs(i.ProcessingInputs ?? []);
      for (const input of i.ProcessingInputs ?? []) {
        const local = input.S3Input?.LocalPath ?? input.DatasetDefinition?.LocalPath;
        if (local !== undefined && !OPT_ML_PROCESSING.test(local)) throw errors.validation(`LocalPath ${local} of input ${input.InputName} must be a path under /opt/ml/processing/.`);
      }
      for (const out of i.ProcessingOutputConfig?.Outputs ?? []) {
        const local = out.S3Output?.LocalPath;
        if (local !== undefined && !OPT_ML_PROCESSING.test(local)) throw errors.validation(`LocalPath ${local} of output ${out.OutputName} must be a path under /opt/ml/processing/.`);
      }
      const doc: JobDocument = {
        ProcessingJobName: i.ProcessingJobName,
        ProcessingJobArn: sagemakerArn(rc.region, rc.accountId, 'processing-job', i.ProcessingJobName),
        ProcessingJobStatus: 'InProgress',
        ...(i.ProcessingInputs ? { ProcessingInputs: i.ProcessingInputs } : {}),
        ...(i.ProcessingOutputConfig ? { ProcessingOutputConfig: i.ProcessingOutputConfig } : {}),
        ProcessingResources: i.ProcessingResources,
        ...(i.StoppingCondition ? { StoppingCondition: i.StoppingCondition } : {}),
        AppSpecification: i.AppSpecification,
        ...(i.Environment ? { Environment: i.Environment } : {}),
        ...(i.NetworkConfig ? { NetworkConfig: i.NetworkConfig } : {}),
        RoleArn: i.RoleArn,
        ...(i.ExperimentConfig ? { ExperimentConfig: i.ExperimentConfig } : {}),
      };
      const arn = await create(rc, 'processing-job', i.ProcessingJobName, doc, tags, run.processing, (a) => errors.inUse(`Job name must be unique within an AWS account and region, and a job with this name already exists (${a})`));
      return { ProcessingJobArn: arn };
    },

    DescribeProcessingJob: async (i, rc) => (await found(rc, 'processing-job', i.ProcessingJobName)).doc as never,

    ListProcessingJobs: async (i, rc) => {
      const all = await store.list<JobDocument>(ctx.db.kysely, { kind: 'processing-job', accountId: rc.accountId, region: rc.region });
      const page = listPage(all, i, `ListProcessingJobs/${rc.accountId}/${rc.region}`);
      return {
        ProcessingJobSummaries: page.items.map((r) => ({
          ProcessingJobName: r.name,
          ProcessingJobArn: r.arn,
          CreationTime: new Date(r.createdAt),
          LastModifiedTime: new Date(r.modifiedAt),
          ProcessingJobStatus: String(r.doc.ProcessingJobStatus),
          ...(r.doc.ProcessingEndTime ? { ProcessingEndTime: new Date(String(r.doc.ProcessingEndTime)) } : {}),
          ...(r.doc.FailureReason ? { FailureReason: String(r.doc.FailureReason) } : {}),
          ...(r.doc.ExitMessage ? { ExitMessage: String(r.doc.ExitMessage) } : {}),
        })) as never,
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    StopProcessingJob: async (i, rc) => {
      await stop(rc, 'processing-job', i.ProcessingJobName, 'ProcessingJobStatus', 'processing job');
      return {};
    },

    CreateTransformJob: async (i, rc) => {
      const tags = requestedTags(i.Tags);
      const modelArn = sagemakerArn(rc.region, rc.accountId, 'model', i.ModelName);
      if (!(await store.get(ctx.db.kysely, modelArn))) throw errors.validation(`Could not find model "${modelArn}".`);
      const invalid = filterValidationMessage({ ...(i.DataProcessing ? { dataProcessing: i.DataProcessing } : {}), ...(i.TransformInput.ContentType ? { contentType: i.TransformInput.ContentType } : {}), ...(i.TransformOutput.Accept ? { accept: i.TransformOutput.Accept } : {}) });
      if (invalid) throw errors.validation(invalid);
      const doc: JobDocument = {
        TransformJobName: i.TransformJobName,
        TransformJobArn: sagemakerArn(rc.region, rc.accountId, 'transform-job', i.TransformJobName),
        TransformJobStatus: 'InProgress',
        ModelName: i.ModelName,
        ...(i.MaxConcurrentTransforms !== undefined ? { MaxConcurrentTransforms: i.MaxConcurrentTransforms } : {}),
        ...(i.ModelClientConfig ? { ModelClientConfig: i.ModelClientConfig } : {}),
        ...(i.MaxPayloadInMB !== undefined ? { MaxPayloadInMB: i.MaxPayloadInMB } : {}),
        ...(i.BatchStrategy ? { BatchStrategy: i.BatchStrategy } : {}),
        ...(i.Environment ? { Environment: i.Environment } : {}),
        TransformInput: i.TransformInput,
        TransformOutput: i.TransformOutput,
        ...(i.DataCaptureConfig ? { DataCaptureConfig: i.DataCaptureConfig } : {}),
        TransformResources: i.TransformResources,
        ...(i.DataProcessing ? { DataProcessing: i.DataProcessing } : {}),
        ...(i.ExperimentConfig ? { ExperimentConfig: i.ExperimentConfig } : {}),
      };
      const arn = await create(rc, 'transform-job', i.TransformJobName, doc, tags, run.transform, (a) => errors.inUse(`Job name must be unique within an AWS account and region, and a job with this name already exists (${a})`));
      return { TransformJobArn: arn };
    },

    DescribeTransformJob: async (i, rc) => (await found(rc, 'transform-job', i.TransformJobName)).doc as never,

    ListTransformJobs: async (i, rc) => {
      const all = await store.list<JobDocument>(ctx.db.kysely, { kind: 'transform-job', accountId: rc.accountId, region: rc.region });
      const page = listPage(all, i, `ListTransformJobs/${rc.accountId}/${rc.region}`);
      return {
        TransformJobSummaries: page.items.map((r) => ({
          TransformJobName: r.name,
          TransformJobArn: r.arn,
          CreationTime: new Date(r.createdAt),
          LastModifiedTime: new Date(r.modifiedAt),
          TransformJobStatus: String(r.doc.TransformJobStatus),
          ...(r.doc.TransformEndTime ? { TransformEndTime: new Date(String(r.doc.TransformEndTime)) } : {}),
          ...(r.doc.FailureReason ? { FailureReason: String(r.doc.FailureReason) } : {}),
        })) as never,
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    StopTransformJob: async (i, rc) => {
      await stop(rc, 'transform-job', i.TransformJobName, 'TransformJobStatus', 'transform job');
      return {};
    },
  };
}
