import { describe, expect, it } from 'vitest';
import { JobWatch } from './watch.js';

describe('JobWatch', () => {
  it('wakes a waiter registered before the change, and only the job’s own', async () => {
    const watch = new JobWatch();
    const woke: string[] = [];
    const a = watch.next('arn:a', 10_000).then(() => woke.push('a'));
    void watch.next('arn:b', 10_000).then(() => woke.push('b'));
    watch.changed('arn:a');
    await a;
    expect(woke).toEqual(['a']);
  });

  it('ends a wait after its timeout when nothing changes', async () => {
    const started = Date.now();
    await new JobWatch().next('arn:a', 30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
