import { describe, expect, it } from 'vitest';
import type { LogsSink } from '../../../core/observability.js';
import { ContainerLog, instanceId } from './container-log.js';

type Put = { account: string; region: string; group: string; stream: string; messages: string[] };

function recordingSink(fail = false): LogsSink & { puts: Put[] } {
  const puts: Put[] = [];
  return {
    puts,
    async put(account, region, group, stream, events) {
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error('disk full');
      puts.push({ account, region, group, stream, messages: events.map((e) => e.message) });
    },
  };
}

const destination = { accountId: '777777777777', region: 'us-east-1', group: '/aws/sagemaker/Endpoints/churn', stream: 'AllTraffic/i-0123456789abcdef0' };

describe('ContainerLog', () => {
  it('writes the lines of a moment as one batch, in the resource’s account and region', async () => {
    const sink = recordingSink();
    const log = new ContainerLog(sink, destination, () => 1000);
    for (let i = 0; i < 5; i++) log.line(`line ${i}`);
    expect(sink.puts).toEqual([]);
    await log.flush();
    expect(sink.puts).toEqual([{ account: '777777777777', region: 'us-east-1', group: destination.group, stream: destination.stream, messages: ['line 0', 'line 1', 'line 2', 'line 3', 'line 4'] }]);
  });

  it('writes a large burst in a few batches that keep their order, all stored when flush resolves', async () => {
    const sink = recordingSink();
    const log = new ContainerLog(sink, destination, () => 1000);
    for (let i = 0; i < 4500; i++) log.line(String(i));
    await log.flush();
    expect(sink.puts.length).toBeLessThanOrEqual(3);
    expect(sink.puts.flatMap((p) => p.messages)).toEqual(Array.from({ length: 4500 }, (_, i) => String(i)));
  });

  it('writes on its own after a short while', async () => {
    const sink = recordingSink();
    const log = new ContainerLog(sink, destination, () => 1000);
    log.line('alone');
    await new Promise((r) => setTimeout(r, 400));
    expect(sink.puts.map((p) => p.messages)).toEqual([['alone']]);
  });

  it('reports a batch it could not store and keeps going', async () => {
    const errors: string[] = [];
    const log = new ContainerLog(recordingSink(true), destination, () => 1000, (m) => errors.push(m));
    log.line('lost');
    await log.flush();
    expect(errors).toEqual([`sagemaker: 1 line(s) for ${destination.group} ${destination.stream} were not stored: disk full`]);
  });

  it('keeps nothing without a sink', async () => {
    const log = new ContainerLog(undefined, destination, () => 1000);
    log.line('nowhere');
    await expect(log.flush()).resolves.toBeUndefined();
  });
});

describe('instanceId', () => {
  it('looks like an EC2 instance id', () => {
    expect(instanceId()).toMatch(/^i-[0-9a-f]{17}$/);
    expect(instanceId()).not.toBe(instanceId());
  });
});
