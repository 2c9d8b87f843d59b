/**
 * Where a pipeline execution lives: one row for the execution (status, parameters, …) and one row per step
 * (kind `pipeline-step`, child of the execution), so a step's change rewrites that step's few KiB rather than the
 * whole execution (200 KiB and more at 50 steps with every job's Describe answer). The definition text is not
 * copied into the execution: it is the pipeline version's, read once and kept (versions never change).
 * Callers see the assembled `ExecutionDocument` with `__steps` and `__definition` as before.
 */
import type { Kysely } from 'kysely';
import { store, type ResourceRecord } from '../store.js';
import type { ExecutionDocument, StepRecord } from './runner.js';

type Ex = Kysely<any>;

const stepArn = (execution: string, name: string) => `${execution}/step/${name}`;

/** Definitions by pipeline version ARN: immutable, so kept for the life of the process (bounded). */
const definitions = new Map<string, string>();

async function definitionOf(ex: Ex, doc: ExecutionDocument & { PipelineVersionId?: number }): Promise<string> {
  if (typeof doc.__definition === 'string') return doc.__definition;
  const versionArn = `${doc.PipelineArn}/version/${doc.PipelineVersionId ?? 1}`;
  let text = definitions.get(versionArn);
  if (text === undefined) {
    const version = await store.get<{ PipelineDefinition?: string }>(ex, versionArn);
    text = String(version?.doc.PipelineDefinition ?? '{}');
    if (definitions.size >= 256) definitions.delete(definitions.keys().next().value!);
    definitions.set(versionArn, text);
  }
  return text;
}

/** The execution row as stored: without the step records and without a copy of the definition. */
function executionRow(doc: ExecutionDocument): Record<string, unknown> {
  const { __steps: _steps, __definition: _definition, ...rest } = doc;
  return rest;
}

export const executions = {
  async get(ex: Ex, arn: string): Promise<ResourceRecord<ExecutionDocument> | undefined> {
    const r = await store.get<ExecutionDocument>(ex, arn);
    if (!r) return undefined;
    // Executions written before steps had rows of their own keep them inline; rows win where both exist.
    const steps: Record<string, StepRecord> = { ...(r.doc.__steps ?? {}) };
    for (const s of await store.list<StepRecord>(ex, { kind: 'pipeline-step', accountId: r.accountId, region: r.region, parent: arn })) steps[s.doc.StepName] = s.doc;
    return { ...r, doc: { ...r.doc, __steps: steps, __definition: await definitionOf(ex, r.doc) } };
  },

  /** A new execution with its initial step records (a selective execution's copied steps). */
  async insert(ex: Ex, r: ResourceRecord<ExecutionDocument>): Promise<void> {
    await store.insert(ex, { ...r, doc: executionRow(r.doc) });
    for (const s of Object.values(r.doc.__steps)) await this.putStep(ex, r, s);
  },

  /** Rewrites the execution's own fields (status, failure reason, …); its step rows are left alone. */
  async update(ex: Ex, arn: string, doc: ExecutionDocument, modifiedAt: number): Promise<void> {
    const stored = await store.get<ExecutionDocument>(ex, arn);
    if (!stored) return;
    // An execution written before steps had rows moves its inline steps into rows on its first change.
    if (stored.doc.__steps) for (const s of Object.values(doc.__steps ?? {})) if (!(await this.step(ex, arn, s.StepName))) await this.putStep(ex, stored, s, modifiedAt);
    await store.update(ex, arn, { doc: executionRow(doc), status: doc.PipelineExecutionStatus, modifiedAt });
  },

  /** The execution's own fields and its definition, without reading its steps. */
  async head(ex: Ex, arn: string): Promise<ResourceRecord<ExecutionDocument> | undefined> {
    const r = await store.get<ExecutionDocument>(ex, arn);
    return r && { ...r, doc: { ...r.doc, __steps: {}, __definition: await definitionOf(ex, r.doc) } };
  },

  async step(ex: Ex, execution: string, name: string): Promise<StepRecord | undefined> {
    return (await store.get<StepRecord>(ex, stepArn(execution, name)))?.doc;
  },

  async putStep(ex: Ex, execution: Pick<ResourceRecord, 'arn' | 'accountId' | 'region' | 'createdAt'>, step: StepRecord, now = execution.createdAt): Promise<void> {
    const arn = stepArn(execution.arn, step.StepName);
    if (await store.get(ex, arn)) await store.update(ex, arn, { doc: step, status: step.StepStatus, modifiedAt: now });
    else await store.insert(ex, { arn, kind: 'pipeline-step', accountId: execution.accountId, region: execution.region, name: step.StepName, parent: execution.arn, status: step.StepStatus, createdAt: now, modifiedAt: now, doc: step });
  },

  async deleteStep(ex: Ex, execution: string, name: string): Promise<void> {
    await store.delete(ex, stepArn(execution, name));
  },
};
