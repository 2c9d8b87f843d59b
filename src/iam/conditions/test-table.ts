/**
 * Shared driver for the per-family condition tables (the iam-simulate habit of one table per operator, run
 * through one function). A row compiles `{ [operator]: { k: values } }` and evaluates it against one value
 * of `k` (`undefined` = key absent).
 */
import { expect, it } from 'vitest';
import { compileCondition, parseOperator } from './index.js';

export interface Row {
  readonly op: string;
  readonly values: string | readonly string[];
  readonly value: string | readonly string[] | undefined;
  readonly expected: boolean;
  /** Extra context keys (for policy variables). */
  readonly ctx?: Readonly<Record<string, string>>;
  readonly variables?: boolean;
  readonly note?: string;
}

export function runTable(rows: readonly Row[]): void {
  for (const r of rows) {
    const title = `${r.op} ${JSON.stringify(r.values)} vs ${r.value === undefined ? '∅' : JSON.stringify(r.value)} → ${r.expected}${r.note ? ` (${r.note})` : ''}`;
    it(title, () => {
      const op = parseOperator(r.op);
      expect(op, `unknown operator ${r.op}`).toBeDefined();
      const values = typeof r.values === 'string' ? [r.values] : [...r.values];
      const cond = compileCondition(op!, 'k', values, r.variables ?? true);
      const ctx = new Map<string, string | readonly string[]>();
      if (r.value !== undefined) ctx.set('k', r.value);
      for (const [k, v] of Object.entries(r.ctx ?? {})) ctx.set(k.toLowerCase(), v);
      expect(cond.test(ctx)).toBe(r.expected);
    });
  }
}
