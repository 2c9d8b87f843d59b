/**
 * Running a job's instances (`algo-1` … `algo-n`) to their end: one container per host, stopped as a whole by the
 * job's control (StopXxxJob, MaxRuntimeInSeconds), their logs flushed when they end. A host that cannot start stops
 * the ones already started, so a failed start leaves nothing running.
 */
import type { JobContainerSpec, JobExit } from '../../../runtime/types.js';
import type { HostingPorts } from '../hosting/ports.js';
import type { JobLog } from './job-log.js';
import type { JobControl } from './scheduler.js';

export async function runHosts(
  ports: HostingPorts,
  control: JobControl,
  hosts: readonly string[],
  logs: readonly JobLog[],
  runtimeLeftMs: number,
  specFor: (host: number) => JobContainerSpec,
): Promise<JobExit[]> {
  const exits: Promise<JobExit>[] = [];
  try {
    for (let h = 0; h < hosts.length; h++) {
      const container = await ports.jobs.startJob(specFor(h));
      control.containers.add(container);
      exits.push(container.exited);
    }
  } catch (e) {
    await Promise.all([...control.containers].map((c) => c.stop()));
    await Promise.all(logs.map((l) => l.flush()));
    throw e;
  }
  const timer = setTimeout(() => void control.stop('timeout'), Math.max(0, runtimeLeftMs));
  try {
    return await Promise.all(exits);
  } finally {
    clearTimeout(timer);
    await Promise.all(logs.map((l) => l.flush()));
  }
}
