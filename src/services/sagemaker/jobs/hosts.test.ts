import { describe, expect, it } from 'vitest';
import type { JobExit, RunningJobContainer } from '../../../runtime/types.js';
import type { HostingPorts } from '../hosting/ports.js';
import { runHosts } from './hosts.js';
import { JobControl } from './scheduler.js';

function container(name: string, exit: Promise<JobExit>, stopped: string[]): RunningJobContainer {
  return { name, pid: 1, exited: exit, stop: async () => void stopped.push(name) };
}

const never = new Promise<JobExit>(() => undefined);

describe('runHosts', () => {
  it('stops the hosts already started when a later one cannot start', async () => {
    const stopped: string[] = [];
    let n = 0;
    const ports = { jobs: { startJob: async () => (++n === 1 ? container('algo-1', never, stopped) : Promise.reject(new Error('no python'))) } } as unknown as HostingPorts;
    await expect(runHosts(ports, new JobControl(), ['algo-1', 'algo-2'], [], 60_000, () => ({}) as never)).rejects.toThrow('no python');
    expect(stopped).toEqual(['algo-1']);
  });

  it('stops every host when the runtime left runs out, and answers their exits', async () => {
    const stopped: string[] = [];
    const exits: Array<(e: JobExit) => void> = [];
    const control = new JobControl();
    const ports = {
      jobs: {
        startJob: async () => {
          const c = container(`algo-${exits.length + 1}`, new Promise<JobExit>((r) => exits.push(r)), stopped);
          return { ...c, stop: async () => { await c.stop(); exits.shift()?.({ code: null, signal: 'SIGTERM', tail: [] }); } };
        },
      },
    } as unknown as HostingPorts;
    const results = await runHosts(ports, control, ['algo-1'], [], 10, () => ({}) as never);
    expect(control.stopReason).toBe('timeout');
    expect(results).toEqual([{ code: null, signal: 'SIGTERM', tail: [] }]);
  });
});
