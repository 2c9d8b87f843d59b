/**
 * The EventBridge events SageMaker emits as a pipeline execution and its steps change status ("SageMaker Model
 * Building Pipeline Execution Status Change" and "… Execution Step Status Change", source `aws.sagemaker`), derived
 * from the execution's record before and after a write, so every path that changes a status — the runner, Stop,
 * Retry — emits the same events. Their details use camelCase keys, unlike the API.
 */
import type { ServiceEvent } from '../../../core/events.js';
import { parseDefinition } from '../../../pipeline/index.js';
import type { ExecutionDocument, StepRecord } from './runner.js';

const SOURCE = 'aws.sagemaker';
export const EXECUTION_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Status Change';
export const STEP_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Step Status Change';

/** Step name → type, per definition text (parsed once; a few definitions are live at a time). */
const typesByDefinition = new Map<string, ReadonlyMap<string, string>>();
function stepTypes(definition: string): ReadonlyMap<string, string> {
  let types = typesByDefinition.get(definition);
  if (!types) {
    try {
      types = new Map([...parseDefinition(definition).steps.values()].map((s) => [s.name, s.type]));
    } catch {
      types = new Map();
    }
    if (typesByDefinition.size >= 32) typesByDefinition.delete(typesByDefinition.keys().next().value!);
    typesByDefinition.set(definition, types);
  }
  return types;
}

/** `{TrainingJob: {Arn}}` → `{trainingJob: {arn}}`, as the event details spell step metadata. */
export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camelKeys(v)]));
}

const ENDED = new Set(['Succeeded', 'Failed', 'Stopped']);

export function transitionEvents(before: ExecutionDocument | undefined, after: ExecutionDocument, now: number): ServiceEvent[] {
  const [, , , region = '', account = ''] = after.PipelineExecutionArn.split(':');
  const base = { source: SOURCE, account, region, time: now, resources: [after.PipelineArn, after.PipelineExecutionArn] };
  const events: ServiceEvent[] = [];
  const types = stepTypes(after.__definition);
  for (const step of Object.values(after.__steps)) {
    const previous: StepRecord | undefined = before?.__steps[step.StepName];
    if (step.__notSelected || previous?.StepStatus === step.StepStatus) continue;
    events.push({
      ...base,
      detailType: STEP_STATUS_CHANGE,
      detail: {
        metadata: camelKeys(step.Metadata ?? {}),
        ...(step.StartTime ? { stepStartTime: step.StartTime } : {}),
        ...(step.EndTime ? { stepEndTime: step.EndTime } : {}),
        stepName: step.StepName,
        stepType: types.get(step.StepName) ?? '',
        ...(previous ? { previousStepStatus: previous.StepStatus } : {}),
        currentStepStatus: step.StepStatus,
        pipelineArn: after.PipelineArn,
        pipelineExecutionArn: after.PipelineExecutionArn,
        ...(step.CacheHitResult ? { cacheHitResult: camelKeys(step.CacheHitResult) } : {}),
        ...(step.StepStatus === 'Failed' && step.FailureReason ? { failureReason: step.FailureReason } : {}),
      },
    });
  }
  if (before?.PipelineExecutionStatus !== after.PipelineExecutionStatus) {
    events.push({
      ...base,
      detailType: EXECUTION_STATUS_CHANGE,
      detail: {
        ...(after.PipelineExecutionDisplayName !== undefined ? { pipelineExecutionDisplayName: after.PipelineExecutionDisplayName } : {}),
        currentPipelineExecutionStatus: after.PipelineExecutionStatus,
        ...(before ? { previousPipelineExecutionStatus: before.PipelineExecutionStatus } : {}),
        executionStartTime: after.CreationTime,
        ...(ENDED.has(after.PipelineExecutionStatus) ? { executionEndTime: after.LastModifiedTime } : {}),
        ...(after.PipelineExecutionDescription !== undefined ? { pipelineExecutionDescription: after.PipelineExecutionDescription } : {}),
        pipelineArn: after.PipelineArn,
        pipelineExecutionArn: after.PipelineExecutionArn,
      },
    });
  }
  return events;
}
