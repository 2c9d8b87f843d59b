/**
 * Scheduling decisions over a parsed definition (reference §1.8): which steps may start now, and whether the
 * execution is over. Pure functions of the definition and two views of the execution's state, so the durable
 * scheduler can ask them after every change, restart included.
 *
 * Policy that stays with the caller: parallelism limits (`MaxParallelExecutionSteps`) and "no new step after a failure"
 * (these functions answer from the graph alone: a failed step only blocks the steps that wait for it).
 */
import type { ParsedDefinition, StepNode } from './definition.js';

export type StepState = 'Starting' | 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';

/** States of a step that is still running. */
export const RUNNING_STATES: ReadonlySet<StepState> = new Set(['Starting', 'Executing', 'Stopping']);

function ready(
  step: StepNode,
  state: (step: string) => StepState | undefined,
  outcome: (condition: string) => boolean | undefined,
): boolean {
  if (state(step.name) !== undefined) return false;
  for (const d of step.dependsOn) if (state(d) !== 'Succeeded') return false;
  if (step.branchOf) {
    if (state(step.branchOf.condition) !== 'Succeeded') return false;
    if (outcome(step.branchOf.condition) !== (step.branchOf.branch === 'If')) return false;
  }
  return true;
}

/**
 * The steps that may start now: not started yet, every dependsOn step Succeeded, and, for a branch step, its
 * condition Succeeded with the outcome that selects its branch. Steps of a branch not taken never become runnable.
 * In definition order.
 */
export function runnableSteps(
  def: ParsedDefinition,
  state: (step: string) => StepState | undefined,
  outcome: (condition: string) => boolean | undefined,
): string[] {
  const out: string[] = [];
  for (const step of def.steps.values()) if (ready(step, state, outcome)) out.push(step.name);
  return out;
}

/**
 * True when nothing more can start and nothing runs (the execution is over), given the same views. Steps that never
 * start (a branch not taken, the dependants of a failed or stopped step) do not keep an execution open.
 */
export function finished(
  def: ParsedDefinition,
  state: (step: string) => StepState | undefined,
  outcome: (condition: string) => boolean | undefined,
): boolean {
  for (const step of def.steps.values()) {
    const s = state(step.name);
    if (s !== undefined && RUNNING_STATES.has(s)) return false;
    if (ready(step, state, outcome)) return false;
  }
  return true;
}

/**
 * The steps that will never run in this execution as things stand: a branch not taken, or waiting (directly or not)
 * for a step that Failed or Stopped or will itself never run. Useful for reports; retries (steps reset to not
 * started) change the answer.
 */
export function unreachableSteps(
  def: ParsedDefinition,
  state: (step: string) => StepState | undefined,
  outcome: (condition: string) => boolean | undefined,
): string[] {
  const memo = new Map<string, boolean>();
  const dead = (name: string): boolean => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    memo.set(name, false); // definitions are acyclic; this only guards against a cycle built by hand
    const step = def.steps.get(name);
    let result = false;
    if (step && state(name) === undefined) {
      const b = step.branchOf;
      const notTaken = b !== undefined && state(b.condition) === 'Succeeded' && outcome(b.condition) !== (b.branch === 'If');
      result = notTaken || step.dependsOn.some((d) => state(d) === 'Failed' || state(d) === 'Stopped' || dead(d));
    }
    memo.set(name, result);
    return result;
  };
  return [...def.steps.keys()].filter(dead);
}
