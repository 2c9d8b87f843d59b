/**
 * Runs one processing job: inputs staged from S3 as the role at their `LocalPath` (a path under
 * `/opt/ml/processing/`, which is the job folder's `processing/`), the container run with its entrypoint and
 * arguments and the role's credentials, and every output's `LocalPath` uploaded to its `S3Uri` at the end of the
 * job (`EndOfJob`; `Continuous` is uploaded at the end too). `/opt/ml/output/message` becomes ExitMessage, and
 * `/opt/ml/output/failure` the FailureReason of a failed job.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeImage } from '../../../runtime/types.js';
import { ContainerError } from '../../../runtime/types.js';
import type { ProcessingInput, ProcessingOutput } from '../api.gen.js';
import { DeploymentFailure, resolveImage } from '../hosting/artifacts.js';
import { JobLog } from './job-log.js';
import type { JobRecords } from './records.js';
import { jobSession, roleEnvironment } from './session.js';
import { runHosts } from './hosts.js';
import { JobFailure, RoleS3, uploadTree } from './role-s3.js';
import type { JobControl } from './scheduler.js';
import { download, inputObjects, shard } from './staging.js';
import { produceAthenaDataset } from './dataset.js';
import type { TrainingDeps } from './training.js';

const iso = (ms: number) => new Date(ms).toISOString();
const OPT_ML = '/opt/ml';

/** The host path of a container path under `/opt/ml` in a job folder. */
export function hostPath(jobDir: string, containerPath: string): string {
  return join(jobDir, containerPath.slice(OPT_ML.length));
}

/** `/opt/ml/config/processingjobconfig.json`: the job's description as the container sees it (reference §3.2). */
function processingJobConfig(doc: Record<string, unknown>): Record<string, unknown> {
  const inputs = ((doc.ProcessingInputs as ProcessingInput[] | undefined) ?? []).map((i) => (i.S3Input ? { ...i, S3Input: { ...i.S3Input, S3DownloadMode: 'StartOfJob' } } : i));
  const pick = ['ProcessingJobArn', 'ProcessingJobName', 'AppSpecification', 'Environment', 'ProcessingOutputConfig', 'ProcessingResources', 'RoleArn', 'StoppingCondition', 'NetworkConfig'];
  return { ...Object.fromEntries(pick.filter((k) => doc[k] !== undefined).map((k) => [k, doc[k]])), ProcessingInputs: inputs };
}

async function readIfExists(file: string): Promise<string | undefined> {
  if (!existsSync(file)) return undefined;
  const text = (await readFile(file, 'utf8')).trim();
  return text || undefined;
}

export async function runProcessing(deps: Pick<TrainingDeps, 'ports' | 'db' | 'now'> & { readonly records: JobRecords }, arn: string, control: JobControl): Promise<void> {
  const { ports, records } = deps;
  const record = await records.get(arn);
  if (!record || record.doc.ProcessingJobStatus !== 'InProgress') return;
  const doc = record.doc;
  const name = String(doc.ProcessingJobName);
  const roleArn = String(doc.RoleArn);
  const app = doc.AppSpecification as { ImageUri: string; ContainerEntrypoint?: string[]; ContainerArguments?: string[] };
  const inputs = (doc.ProcessingInputs as ProcessingInput[] | undefined) ?? [];
  const outputs = ((doc.ProcessingOutputConfig as { Outputs?: ProcessingOutput[] } | undefined)?.Outputs ?? []) as ProcessingOutput[];
  const count = Math.max(1, (doc.ProcessingResources as { ClusterConfig?: { InstanceCount?: number } } | undefined)?.ClusterConfig?.InstanceCount ?? 1);
  const maxRuntime = (doc.StoppingCondition as { MaxRuntimeInSeconds?: number } | undefined)?.MaxRuntimeInSeconds ?? 86_400;
  const hosts = Array.from({ length: count }, (_, i) => `algo-${i + 1}`);
  const root = join(ports.workDir, 'jobs', record.accountId, record.region, name.toLowerCase());
  const started = deps.now();
  let log: JobLog | undefined;

  const end = async (status: 'Completed' | 'Failed' | 'Stopped', extra: Record<string, unknown> = {}) => {
    await log?.flush();
    await records.update(arn, 'ProcessingJobStatus', (d) => ({ ...d, ...extra, ProcessingJobStatus: status, ProcessingEndTime: iso(deps.now()) }));
  };

  try {
    await records.update(arn, 'ProcessingJobStatus', (d) => ({ ...d, ProcessingStartTime: d.ProcessingStartTime ?? iso(started) }));
    const session = await jobSession(ports, roleArn, arn, record.accountId);
    const s3 = new RoleS3(ports, session.principal, roleArn, record.region, arn);
    let image: RuntimeImage;
    try {
      image = (await resolveImage(ports, app.ImageUri, session.principal, roleArn)).runtime;
    } catch (e) {
      throw e instanceof DeploymentFailure ? new JobFailure(`ClientError: ${e.message}`) : e;
    }
    await rm(root, { recursive: true, force: true });
    // Athena datasets are produced once, as the role, then staged on every host like an S3 prefix.
    const datasets = new Map<string, string>();
    for (const input of inputs) {
      if (!input.DatasetDefinition?.AthenaDatasetDefinition) continue;
      const prefix = await produceAthenaDataset(ports, session.principal, record.region, { arn, name }, input, control);
      if (prefix === undefined) return control.stopReason === 'shutdown' ? undefined : await end('Stopped');
      datasets.set(input.InputName, prefix);
    }
    for (let h = 0; h < hosts.length; h++) {
      const dir = join(root, hosts[h]!);
      await mkdir(join(dir, 'processing'), { recursive: true });
      await mkdir(join(dir, 'config'), { recursive: true });
      await writeFile(join(dir, 'config', 'processingjobconfig.json'), JSON.stringify(processingJobConfig(doc)));
      for (const input of inputs) {
        const src = input.S3Input;
        const dataset = input.DatasetDefinition;
        if (dataset) {
          const prefix = datasets.get(input.InputName);
          if (prefix === undefined) throw new JobFailure(`ClientError: Input ${input.InputName}: mlzone runs Athena dataset definitions only (RedshiftDatasetDefinition is not served).`);
          // AppManaged inputs without a LocalPath are the application's to fetch (the query ran; its files are in S3).
          if (dataset.LocalPath === undefined) continue;
          const objects = await inputObjects(s3, prefix, 'S3Prefix');
          await download(s3, shard(objects, dataset.DataDistributionType, h, hosts.length), hostPath(dir, dataset.LocalPath));
          continue;
        }
        if (!src) throw new JobFailure(`ClientError: Input ${input.InputName}: the input has neither S3Input nor DatasetDefinition.`);
        const objects = await inputObjects(s3, src.S3Uri, src.S3DataType);
        await download(s3, shard(objects, src.S3DataDistributionType, h, hosts.length), hostPath(dir, src.LocalPath ?? `/opt/ml/processing/input/${input.InputName}`));
      }
      for (const out of outputs) if (out.S3Output) await mkdir(hostPath(dir, out.S3Output.LocalPath ?? `/opt/ml/processing/output/${out.OutputName}`), { recursive: true });
    }
    if (control.stopped) return control.stopReason === 'shutdown' ? undefined : await end('Stopped');

    const epoch = Math.floor(deps.now() / 1000);
    const logs = hosts.map((h) => new JobLog(ports, { accountId: record.accountId, region: record.region, group: '/aws/sagemaker/ProcessingJobs', stream: `${name}/${h}-${epoch}` }, [], deps.now));
    log = logs[0];
    const environment = {
      ...roleEnvironment(ports, session, record.region, doc.Environment as Record<string, string> | undefined),
    };
    const results = await runHosts(ports, control, hosts, logs, maxRuntime * 1000 - (deps.now() - started), (h) => ({
      image,
      kind: 'processing',
      jobDir: join(root, hosts[h]!),
      ...(app.ContainerEntrypoint ? { entrypoint: app.ContainerEntrypoint } : {}),
      ...(app.ContainerArguments ? { arguments: app.ContainerArguments } : {}),
      environment,
      hosts,
      currentHost: hosts[h]!,
      name: `${record.accountId}/${name}/${hosts[h]}`,
      log: (line) => logs[h]!.line(line),
    }));
    if (control.stopReason === 'shutdown') return;
    const leader = join(root, hosts[0]!);
    const exitMessage = await readIfExists(join(leader, 'output', 'message'));
    const failed = results.findIndex((r) => r.code !== 0);
    if (!control.stopped && failed >= 0) {
      const failure = await readIfExists(join(root, hosts[failed]!, 'output', 'failure'));
      const exit = results[failed]!;
      const how = exit.code !== null ? `exit code: ${exit.code}` : `signal: ${exit.signal}`;
      throw new JobFailure(failure ? `AlgorithmError: ${failure}`.slice(0, 1024) : `AlgorithmError: See job logs for more information. The processing container exited with ${how}. Last output:\n${exit.tail.slice(-10).join('\n')}`.slice(0, 1024));
    }
    // Outputs of every instance go up (AWS uploads each instance's LocalPath under the same S3Uri).
    for (let h = 0; h < hosts.length; h++) {
      for (const out of outputs) {
        if (!out.S3Output) continue;
        await uploadTree(s3, hostPath(join(root, hosts[h]!), out.S3Output.LocalPath ?? `/opt/ml/processing/output/${out.OutputName}`), out.S3Output.S3Uri, 'Processing output');
      }
    }
    if (control.stopped) {
      await end('Stopped', control.stopReason === 'timeout' ? { FailureReason: 'Processing job runtime exceeded MaxRuntimeInSeconds provided' } : {});
      return;
    }
    await end('Completed', exitMessage ? { ExitMessage: exitMessage.slice(0, 1024) } : {});
  } catch (e) {
    if (control.stopReason === 'shutdown') return;
    if (e instanceof JobFailure) return await end('Failed', { FailureReason: e.message });
    if (e instanceof ContainerError) return await end('Failed', { FailureReason: `ClientError: ${e.reason}` });
    throw e;
  }
}

