import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { finished, parseDefinition, runnableSteps, unreachableSteps, type ParsedDefinition, type StepState } from './index.js';

/** A tiny execution: step states and condition outcomes the test sets by hand. */
class Run {
  readonly states = new Map<string, StepState>();
  readonly outcomes = new Map<string, boolean>();
  constructor(readonly def: ParsedDefinition) {}
  private readonly state = (s: string) => this.states.get(s);
  private readonly outcome = (c: string) => this.outcomes.get(c);
  runnable(): string[] {
    return runnableSteps(this.def, this.state, this.outcome);
  }
  finished(): boolean {
    return finished(this.def, this.state, this.outcome);
  }
  unreachable(): string[] {
    return unreachableSteps(this.def, this.state, this.outcome);
  }
  set(step: string, state: StepState, outcome?: boolean): this {
    this.states.set(step, state);
    if (outcome !== undefined) this.outcomes.set(step, outcome);
    return this;
  }
}

const step = (Name: string, extra: Record<string, unknown> = {}) => ({ Name, Type: 'Processing', Arguments: {}, ...extra });

/**
 * A ─┬─> B ───────────────┐
 *    └─> Gate (reads A) ──┤ If: X        Else: Y (DependsOn B)
 *                         └─> Z (DependsOn B, X)
 * C (independent)
 */
const small = parseDefinition(
  JSON.stringify({
    Version: '2020-12-01',
    Steps: [
      step('A'),
      step('B', { Arguments: { In: { Get: 'Steps.A.ProcessingJobName' } } }),
      {
        Name: 'Gate',
        Type: 'Condition',
        Arguments: {
          Conditions: [{ Type: 'Equals', LeftValue: { Get: 'Steps.A.ProcessingJobStatus' }, RightValue: 'Completed' }],
          IfSteps: [step('X')],
          ElseSteps: [step('Y', { DependsOn: ['B'] })],
        },
      },
      step('Z', { DependsOn: ['B', 'X'] }),
      step('C'),
    ],
  }),
);

describe('runnableSteps and finished', () => {
  it('starts with the steps that wait for nothing', () => {
    const r = new Run(small);
    expect(r.runnable()).toEqual(['A', 'C']);
    expect(r.finished()).toBe(false);
  });

  it('follows the graph, then the branch the condition chose', () => {
    const r = new Run(small);
    r.set('A', 'Executing').set('C', 'Starting');
    expect(r.runnable()).toEqual([]);
    expect(r.finished()).toBe(false);
    r.set('A', 'Succeeded');
    expect(r.runnable()).toEqual(['B', 'Gate']);
    r.set('B', 'Succeeded').set('Gate', 'Executing');
    // Branch steps wait for their condition, even when their other dependencies are met.
    expect(r.runnable()).toEqual([]);
    r.set('Gate', 'Succeeded', true);
    expect(r.runnable()).toEqual(['X']);
    r.set('X', 'Succeeded');
    expect(r.runnable()).toEqual(['Z']);
    r.set('Z', 'Succeeded');
    expect(r.runnable()).toEqual([]);
    // C still runs: not over yet.
    expect(r.finished()).toBe(false);
    r.set('C', 'Succeeded');
    expect(r.finished()).toBe(true);
    expect(r.unreachable()).toEqual(['Y']);
  });

  it('never runs the branch not taken, nor what waits for it', () => {
    const r = new Run(small);
    for (const s of ['A', 'B', 'C']) r.set(s, 'Succeeded');
    r.set('Gate', 'Succeeded', false);
    expect(r.runnable()).toEqual(['Y']);
    r.set('Y', 'Succeeded');
    expect(r.runnable()).toEqual([]);
    // Z waits for X, which is in the If branch: it never starts, and the execution is over.
    expect(r.finished()).toBe(true);
    expect(r.unreachable()).toEqual(['X', 'Z']);
  });

  it('lets a failed step block only its dependants', () => {
    const r = new Run(small);
    r.set('A', 'Succeeded').set('B', 'Failed');
    expect(r.runnable()).toEqual(['Gate', 'C']);
    r.set('Gate', 'Succeeded', true).set('C', 'Succeeded');
    expect(r.runnable()).toEqual(['X']);
    r.set('X', 'Executing');
    expect(r.finished()).toBe(false);
    r.set('X', 'Succeeded');
    // Z waits for B, which failed.
    expect(r.runnable()).toEqual([]);
    expect(r.finished()).toBe(true);
    expect(r.unreachable()).toEqual(['Y', 'Z']);
  });

  it('treats Stopping as running and Stopped as a dead end', () => {
    const r = new Run(small);
    r.set('A', 'Stopping').set('C', 'Stopped');
    expect(r.finished()).toBe(false);
    r.set('A', 'Stopped');
    expect(r.runnable()).toEqual([]);
    expect(r.finished()).toBe(true);
    expect(r.unreachable()).toEqual(['B', 'Gate', 'X', 'Y', 'Z']);
  });

  it('runs again a step whose state was reset (RetryPipelineExecution)', () => {
    const r = new Run(small);
    r.set('A', 'Succeeded').set('B', 'Failed').set('C', 'Succeeded').set('Gate', 'Succeeded', true).set('X', 'Succeeded');
    expect(r.finished()).toBe(true);
    r.states.delete('B');
    expect(r.runnable()).toEqual(['B']);
    expect(r.finished()).toBe(false);
  });

  it('runs the §1.12 example to its end, either way the condition goes', () => {
    const churn = parseDefinition(readFileSync(new URL('./fixtures/churn-pipeline.json', import.meta.url), 'utf8'));
    for (const outcome of [true, false]) {
      const r = new Run(churn);
      const order: string[][] = [];
      for (let guard = 0; !r.finished() && guard < 10; guard++) {
        const next = r.runnable();
        order.push(next);
        for (const s of next) r.set(s, 'Succeeded', s === 'RmseGate' ? outcome : undefined);
      }
      expect(order).toEqual([['Prep'], ['Train'], ['Eval'], ['RmseGate'], [outcome ? 'Register' : 'RmseTooHigh']]);
      expect(r.unreachable()).toEqual([outcome ? 'RmseTooHigh' : 'Register']);
    }
  });

  it('is over at once for an empty pipeline', () => {
    const empty = parseDefinition(JSON.stringify({ Steps: [] }));
    expect(runnableSteps(empty, () => undefined, () => undefined)).toEqual([]);
    expect(finished(empty, () => undefined, () => undefined)).toBe(true);
  });
});
