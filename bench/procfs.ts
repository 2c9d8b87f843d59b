/** Linux /proc readers for the benchmarks: a process's memory and CPU time, and machine-wide CPU use. */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const TICK_S = 0.01; // USER_HZ is 100 on Linux

export interface Memory {
  /** Resident set size now, MiB. */
  readonly rssMiB: number;
  /** Peak resident set size (high-water mark), MiB. */
  readonly hwmMiB: number;
  /** The private (anonymous) part of the RSS, MiB: RSS less file pages (the node binary, a memory-mapped database). */
  readonly anonMiB: number;
}

export function memoryOf(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024, anonMiB: kb('RssAnon') / 1024 };
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, seconds (undefined when it is gone). */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_S;
  } catch {
    return undefined;
  }
}

export interface MachineCpu {
  readonly busy: number;
  readonly total: number;
}

/** Aggregate busy and total jiffies of all CPUs (first line of /proc/stat). */
export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** Share of all CPUs busy between two readings (0..1). */
export function busyShare(a: MachineCpu, b: MachineCpu): number {
  return b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0;
}

export function load1(): number {
  return loadavg()[0]!;
}
