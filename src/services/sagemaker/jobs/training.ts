/**
 * Runs one training job for real: assumes its role as SageMaker, resolves the image (pulled as the role), stages
 * the channels (and a script-mode `sourcedir.tar.gz`, and the last checkpoints) from S3 as the role, starts one
 * container per instance (`algo-1` … `algo-n`) with the role's credentials and `AWS_ENDPOINT_URL`, watches
 * `MaxRuntimeInSeconds`, reads the metric definitions' values from the log, and uploads `model.tar.gz`,
 * `output.tar.gz` and the checkpoints as the role. Every step is a secondary status transition; every failure ends
 * in Failed (or Stopped) with the reason a user can act on.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../../../persistence/db.js';
import type { JobExit, RuntimeImage } from '../../../runtime/types.js';
import { ContainerError } from '../../../runtime/types.js';
import type { Channel, MetricDefinition as ApiMetricDefinition } from '../api.gen.js';
import { DeploymentFailure, resolveImage } from '../hosting/artifacts.js';
import type { HostingPorts } from '../hosting/ports.js';
import { JobLog, type MetricDefinition } from './job-log.js';
import type { JobRecords, JobDocument } from './records.js';
import { jobSession, roleEnvironment } from './session.js';
import { runHosts } from './hosts.js';
import { JobFailure, RoleS3, parseS3Uri, uploadTree } from './role-s3.js';
import type { JobControl } from './scheduler.js';
import { download, inputObjects, shard } from './staging.js';

export interface TrainingDeps {
  readonly ports: HostingPorts;
  readonly records: JobRecords;
  readonly db: Database;
  readonly now: () => number;
  /** The metrics a built-in image logs (AWS defines them for its algorithms; the user defines them otherwise). */
  readonly builtinMetrics: (image: RuntimeImage, hyperParameters: Readonly<Record<string, string>>) => readonly MetricDefinition[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function hostsOf(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `algo-${i + 1}`);
}

/** The script-mode source a hyperparameter names; the SageMaker Python SDK JSON-encodes hyperparameter values. */
export function hyperparameterString(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(value);
    return typeof v === 'string' ? v : value;
  } catch {
    return value;
  }
}

export async function runTraining(deps: TrainingDeps, arn: string, control: JobControl): Promise<void> {
  const { ports, records } = deps;
  const record = await records.get(arn);
  if (!record || record.doc.TrainingJobStatus !== 'InProgress') return;
  const doc = record.doc;
  const name = String(doc.TrainingJobName);
  const roleArn = String(doc.RoleArn);
  const spec = doc.AlgorithmSpecification as { TrainingImage?: string; MetricDefinitions?: ApiMetricDefinition[]; ContainerEntrypoint?: string[]; ContainerArguments?: string[]; TrainingInputMode?: string };
  const hyper = (doc.HyperParameters as Record<string, string> | undefined) ?? {};
  const channels = (doc.InputDataConfig as Channel[] | undefined) ?? [];
  const output = doc.OutputDataConfig as { S3OutputPath: string };
  const resources = (doc.ResourceConfig as { InstanceCount?: number; InstanceType?: string } | undefined) ?? {};
  const checkpoint = doc.CheckpointConfig as { S3Uri: string; LocalPath?: string } | undefined;
  const maxRuntime = (doc.StoppingCondition as { MaxRuntimeInSeconds?: number } | undefined)?.MaxRuntimeInSeconds ?? 86_400;
  const hosts = hostsOf(Math.max(1, resources.InstanceCount ?? 1));
  const root = join(ports.workDir, 'jobs', record.accountId, record.region, name.toLowerCase());
  const started = deps.now();
  let trainingStarted: number | undefined;
  let log: JobLog | undefined;

  const fail = async (reason: string, secondary = 'Failed') => {
    await log?.flush();
    const end = deps.now();
    await records.secondary(arn, secondary, reason, (d) => ({
      ...d,
      TrainingJobStatus: 'Failed',
      FailureReason: reason,
      TrainingEndTime: iso(end),
      ...(trainingStarted !== undefined ? { TrainingTimeInSeconds: Math.max(1, Math.round((end - trainingStarted) / 1000)), BillableTimeInSeconds: Math.max(1, Math.round((end - trainingStarted) / 1000)) } : {}),
    }));
  };

  try {
    await records.update(arn, 'TrainingJobStatus', (d) => ({ ...d, TrainingStartTime: d.TrainingStartTime ?? iso(started) }));
    await records.secondary(arn, 'Starting', 'Preparing the instances for training');
    const session = await jobSession(ports, roleArn, arn, record.accountId);
    const s3 = new RoleS3(ports, session.principal, roleArn, record.region, arn);
    if (!spec.TrainingImage) throw new JobFailure('ClientError: AlgorithmSpecification.TrainingImage is required: mlzone runs no marketplace algorithms (AlgorithmName).');
    let image: RuntimeImage;
    try {
      image = (await resolveImage(ports, spec.TrainingImage, session.principal, roleArn)).runtime;
    } catch (e) {
      throw e instanceof DeploymentFailure ? new JobFailure(`ClientError: ${e.message}`) : e;
    }
    if (control.stopped) return await finishStopped();

    await records.secondary(arn, 'Downloading', 'Downloading input data');
    await rm(root, { recursive: true, force: true });
    for (let h = 0; h < hosts.length; h++) {
      const dir = join(root, hosts[h]!);
      await mkdir(join(dir, 'input', 'data'), { recursive: true });
      for (const c of channels) {
        const src = c.DataSource.S3DataSource;
        if (!src) throw new JobFailure(`ClientError: Channel ${c.ChannelName}: mlzone reads channels from S3 only (S3DataSource).`);
        const objects = await inputObjects(s3, src.S3Uri, src.S3DataType);
        await download(s3, shard(objects, src.S3DataDistributionType, h, hosts.length), join(dir, 'input', 'data', c.ChannelName));
      }
      const submit = hyperparameterString(hyper.sagemaker_submit_directory);
      if (submit?.startsWith('s3://')) {
        const at = parseS3Uri(submit)!;
        const code = await s3.read(at.bucket, at.key);
        try {
          await ports.extractModel(code, join(dir, 'code'));
        } catch (e) {
          throw new JobFailure(`ClientError: sagemaker_submit_directory ${submit} is not a valid tar.gz archive. (${e instanceof Error ? e.message : String(e)})`);
        }
      }
      if (checkpoint) {
        const at = parseS3Uri(checkpoint.S3Uri);
        if (at) {
          const saved = (await s3.list(checkpoint.S3Uri).catch(() => [])).filter((o) => !o.key.endsWith('/'));
          const base = at.key.endsWith('/') || at.key === '' ? at.key : `${at.key}/`;
          await download(s3, saved.map((o) => ({ bucket: at.bucket, key: o.key, relative: o.key.slice(base.length) || o.key })), join(dir, 'checkpoints'));
        }
      }
    }
    if (control.stopped) return await finishStopped();

    await records.secondary(arn, 'Training', 'Training image download completed. Training in progress.');
    trainingStarted = deps.now();
    const definitions: MetricDefinition[] = [...deps.builtinMetrics(image, hyper), ...(spec.MetricDefinitions ?? [])];
    const epoch = Math.floor(trainingStarted / 1000);
    const logs = hosts.map((h) => new JobLog(ports, { accountId: record.accountId, region: record.region, group: '/aws/sagemaker/TrainingJobs', stream: `${name}/${h}-${epoch}` }, definitions, deps.now, `${name}/${h}`));
    log = logs[0];
    const environment = {
      ...roleEnvironment(ports, session, record.region, doc.Environment as Record<string, string> | undefined),
      TRAINING_JOB_NAME: name,
      TRAINING_JOB_ARN: arn,
    };
    const results = await runHosts(ports, control, hosts, logs, maxRuntime * 1000 - (deps.now() - started), (h) => ({
      image,
      kind: 'training',
      jobDir: join(root, hosts[h]!),
      ...(spec.ContainerEntrypoint ? { entrypoint: spec.ContainerEntrypoint } : {}),
      ...(spec.ContainerArguments ? { arguments: spec.ContainerArguments } : {}),
      environment,
      hyperParameters: hyper,
      channels: channels.map((c) => c.ChannelName),
      channelConfig: Object.fromEntries(
        channels.map((c) => [
          c.ChannelName,
          {
            ...(c.ContentType ? { ContentType: c.ContentType } : {}),
            TrainingInputMode: (c.InputMode ?? spec.TrainingInputMode ?? 'File') as 'File' | 'Pipe' | 'FastFile',
            S3DistributionType: (c.DataSource.S3DataSource?.S3DataDistributionType ?? 'FullyReplicated') as 'FullyReplicated' | 'ShardedByS3Key',
            RecordWrapperType: (c.RecordWrapperType ?? 'None') as 'None' | 'RecordIO',
          },
        ]),
      ),
      ...(resources.InstanceType ? { instanceType: resources.InstanceType } : {}),
      jobName: name,
      jobArn: arn,
      hosts,
      currentHost: hosts[h]!,
      name: `${record.accountId}/${name}/${hosts[h]}`,
      log: (line) => logs[h]!.line(line),
    }));
    const finals = [...logs[0]!.finals.entries()].map(([MetricName, v]) => ({ MetricName, Value: v.value, Timestamp: iso(v.at) }));
    if (finals.length > 0) await records.update(arn, 'TrainingJobStatus', (d) => ({ ...d, FinalMetricDataList: finals }));

    if (control.stopReason === 'shutdown') return;
    if (!control.stopped) {
      const failed = results.findIndex((r) => r.code !== 0);
      if (failed >= 0) throw new JobFailure(await failureReason(join(root, hosts[failed]!), results[failed]!));
    }

    await records.secondary(arn, 'Uploading', control.stopped ? 'Uploading the model of the stopped job' : 'Uploading generated training model');
    const leader = join(root, hosts[0]!);
    const prefix = `${output.S3OutputPath.replace(/\/+$/, '')}/${name}/output`;
    const modelUri = `${prefix}/model.tar.gz`;
    await s3.upload(modelUri, await ports.packDirectory(join(leader, 'model')), 'Model artifact');
    if (await hasFiles(join(leader, 'output', 'data'))) await s3.upload(`${prefix}/output.tar.gz`, await ports.packDirectory(join(leader, 'output', 'data')), 'Output data');
    if (checkpoint) await uploadTree(s3, join(leader, 'checkpoints'), checkpoint.S3Uri, 'Checkpoint');
    const end = deps.now();
    const seconds = Math.max(1, Math.round((end - (trainingStarted ?? started)) / 1000));
    if (control.stopped) {
      const timeout = control.stopReason === 'timeout';
      await records.secondary(arn, timeout ? 'MaxRuntimeExceeded' : 'Stopped', timeout ? `Training job runtime exceeded MaxRuntimeInSeconds provided` : 'Training job stopped by user request', (d) => ({
        ...d,
        TrainingJobStatus: 'Stopped',
        TrainingEndTime: iso(end),
        TrainingTimeInSeconds: seconds,
        BillableTimeInSeconds: seconds,
        ModelArtifacts: { S3ModelArtifacts: modelUri },
      }));
      return;
    }
    await records.secondary(arn, 'Completed', 'Training job completed', (d) => ({
      ...d,
      TrainingJobStatus: 'Completed',
      TrainingEndTime: iso(end),
      TrainingTimeInSeconds: seconds,
      BillableTimeInSeconds: seconds,
      ModelArtifacts: { S3ModelArtifacts: modelUri },
    }));
  } catch (e) {
    if (control.stopReason === 'shutdown') return;
    if (e instanceof JobFailure) return await fail(e.message);
    if (e instanceof ContainerError) return await fail(`ClientError: ${e.reason}`);
    throw e;
  }

  async function finishStopped(): Promise<void> {
    if (control.stopReason === 'shutdown') return;
    await records.secondary(arn, 'Stopped', 'Training job stopped by user request', (d) => ({ ...d, TrainingJobStatus: 'Stopped', TrainingEndTime: iso(deps.now()) }));
  }
}

/** AWS's FailureReason: the container's `/opt/ml/output/failure` when it wrote one, else the exit code and last lines. */
async function failureReason(jobDir: string, exit: JobExit): Promise<string> {
  const file = join(jobDir, 'output', 'failure');
  if (existsSync(file)) {
    const text = (await readFile(file, 'utf8')).trim();
    // The algorithm may classify its own failure (`ClientError: bad input`); otherwise it is the algorithm's.
    if (text) return (/^(ClientError|AlgorithmError|ExecuteUserScriptError)\b/.test(text) ? text : `AlgorithmError: ${text}`).slice(0, 1024);
  }
  const how = exit.code !== null ? `exit code: ${exit.code}` : `signal: ${exit.signal}`;
  const tail = exit.tail.slice(-10).join('\n');
  return `AlgorithmError: The training container exited with ${how}.${tail ? ` Last output:\n${tail}` : ''}`.slice(0, 1024);
}

async function hasFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}


export type { JobDocument };
