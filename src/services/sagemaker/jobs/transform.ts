/**
 * Runs one batch transform job: the model's containers started as for an endpoint (images pulled and model data read
 * as the model's execution role), every input object read as that role, split, filtered, batched and sent to
 * `/invocations` by the record engine (`../transform/records.ts`), and its `.out` object written as the role. The
 * first failing object fails the job with the container's message; objects already written stay, as on AWS.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { ContainerError } from '../../../runtime/types.js';
import type { TransformInput, TransformOutput, DataProcessing } from '../api.gen.js';
import { sagemakerArn } from '../domain/arns.js';
import { DeploymentFailure } from '../hosting/artifacts.js';
import type { Deployer, LiveVariant } from '../hosting/deployer.js';
import { chooseInstance } from '../hosting/invoke.js';
import type { ModelDocument } from '../hosting/plan.js';
import { store } from '../store.js';
import { isTransformDataError, outputKey, transformObject, type AssembleWith, type BatchStrategy, type CompressionType, type SplitType } from '../transform/records.js';
import type { JobRecords } from './records.js';
import { jobSession } from './session.js';
import { JobFailure, RoleS3, parseS3Uri } from './role-s3.js';
import type { JobControl } from './scheduler.js';
import { inputObjects } from './staging.js';
import type { TrainingDeps } from './training.js';

const iso = (ms: number) => new Date(ms).toISOString();

export interface TransformDeps extends Pick<TrainingDeps, 'ports' | 'db' | 'now'> {
  readonly records: JobRecords;
  readonly deployer: Deployer;
}

export async function runTransform(deps: TransformDeps, arn: string, control: JobControl): Promise<void> {
  const { ports, records } = deps;
  const record = await records.get(arn);
  if (!record || record.doc.TransformJobStatus !== 'InProgress') return;
  const doc = record.doc;
  const name = String(doc.TransformJobName);
  const input = doc.TransformInput as TransformInput;
  const output = doc.TransformOutput as TransformOutput;
  const count = Math.max(1, (doc.TransformResources as { InstanceCount?: number }).InstanceCount ?? 1);
  let variant: LiveVariant | undefined;
  // The instances stop (and their output is stored) before the status is final, as on AWS: a reader who waited
  // for the job sees every line of its log.
  const end = async (status: 'Completed' | 'Failed' | 'Stopped', extra: Record<string, unknown> = {}) => {
    if (variant) await deps.deployer.stopVariant(variant);
    await records.update(arn, 'TransformJobStatus', (d) => ({ ...d, ...extra, TransformJobStatus: status, TransformEndTime: iso(deps.now()) }));
  };
  const dir = join(ports.workDir, 'jobs', record.accountId, record.region, name.toLowerCase());
  try {
    await records.update(arn, 'TransformJobStatus', (d) => ({ ...d, TransformStartTime: d.TransformStartTime ?? iso(deps.now()) }));
    const modelArn = sagemakerArn(record.region, record.accountId, 'model', String(doc.ModelName));
    const model = await store.get<ModelDocument>(deps.db.kysely, modelArn);
    if (!model) throw new JobFailure(`ClientError: Could not find model "${modelArn}".`);
    const roleArn = model.doc.ExecutionRoleArn;
    if (!roleArn) throw new JobFailure(`ClientError: The model ${model.name} has no ExecutionRoleArn, so SageMaker cannot read the input data.`);
    const session = await jobSession(ports, roleArn, arn, record.accountId);
    const s3 = new RoleS3(ports, session.principal, roleArn, record.region, arn);
    const environment = (doc.Environment as Record<string, string> | undefined) ?? {};
    const epoch = Math.floor(deps.now() / 1000);
    try {
      variant = await deps.deployer.launchVariant(
        { arn, accountId: record.accountId, region: record.region, name, logs: { group: '/aws/sagemaker/TransformJobs', stream: (_variant, id) => `${name}/${id}-${epoch}` } },
        {
          VariantName: 'transform',
          ModelName: model.name,
          ModelArn: model.arn,
          ExecutionRoleArn: roleArn,
          InstanceCount: count,
          Weight: 1,
          Containers: model.doc.__containers.map((c) => ({ ...c, Environment: { ...c.Environment, ...environment } })),
        },
        dir,
      );
    } catch (e) {
      if (e instanceof DeploymentFailure || e instanceof ContainerError) throw new JobFailure(`ClientError: ${e.message}`);
      throw e;
    }
    const running = variant;
    void control.whenStopped().then(() => deps.deployer.stopVariant(running));
    const src = input.DataSource.S3DataSource;
    const objects = await inputObjects(s3, src.S3Uri, src.S3DataType);
    const prefix = parseS3Uri(src.S3Uri)!.key;
    const invoke = async (body: Buffer): Promise<Buffer> => {
      const instance = chooseInstance(running);
      if (!instance) throw new JobFailure('ClientError: No instance of the model is healthy: its container keeps exiting. See the job log.');
      let payload = body;
      let type = input.ContentType;
      const containers = instance.containers;
      for (let c = 0; c < containers.length; c++) {
        const last = c === containers.length - 1;
        const res = await containers[c]!.invoke({ body: payload, ...(type ? { contentType: type } : {}), ...(last && output.Accept ? { accept: output.Accept } : {}), timeoutMs: ports.invocationTimeoutMs });
        if (res.status < 200 || res.status > 299) {
          throw new JobFailure(`ClientError: the model container answered ${res.status} with message "${res.body.toString('utf8').slice(0, 512)}". See the job log for details.`);
        }
        payload = res.body;
        type = res.contentType;
      }
      return payload;
    };
    for (const o of objects) {
      if (control.stopped) break;
      const data = await s3.read(o.bucket, o.key);
      let out: Buffer;
      try {
        out = await transformObject(
          data,
          {
            ...(input.ContentType ? { contentType: input.ContentType } : {}),
            ...(output.Accept ? { accept: output.Accept } : {}),
            splitType: (input.SplitType ?? 'None') as SplitType,
            batchStrategy: (doc.BatchStrategy ?? 'MultiRecord') as BatchStrategy,
            ...(doc.MaxPayloadInMB !== undefined ? { maxPayloadInMB: Number(doc.MaxPayloadInMB) } : {}),
            assembleWith: (output.AssembleWith ?? 'None') as AssembleWith,
            compressionType: (input.CompressionType ?? 'None') as CompressionType,
            maxConcurrentTransforms: Math.max(1, Number(doc.MaxConcurrentTransforms ?? 1)) * count,
            ...(doc.DataProcessing ? { dataProcessing: doc.DataProcessing as DataProcessing } : {}),
          },
          invoke,
        );
      } catch (e) {
        if (control.stopped) break;
        if (isTransformDataError(e)) throw new JobFailure(`ClientError: ${o.bucket}/${o.key}: ${e.message}`);
        if (e instanceof ContainerError) throw new JobFailure(`ClientError: ${o.bucket}/${o.key}: ${e.reason}`);
        if (e instanceof JobFailure) throw new JobFailure(`${e.message.replace(/^ClientError: /, `ClientError: ${o.bucket}/${o.key}: `)}`);
        throw e;
      }
      await s3.upload(outputKey(o.key, prefix, output.S3OutputPath, { manifest: src.S3DataType === 'ManifestFile' }), out, 'Transform output');
    }
    if (control.stopReason === 'shutdown') return;
    await end(control.stopped ? 'Stopped' : 'Completed');
  } catch (e) {
    if (control.stopReason === 'shutdown') return;
    if (e instanceof JobFailure) return await end('Failed', { FailureReason: e.message.slice(0, 1024) });
    throw e;
  } finally {
    if (variant) await deps.deployer.stopVariant(variant);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
