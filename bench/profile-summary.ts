/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time and the most
 * inclusive (total) time, as a markdown table.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileRow {
  readonly name: string;
  readonly selfPct: number;
  readonly totalPct: number;
}

function label(f: CallFrame): string {
  const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
  const name = f.functionName || '(anonymous)';
  return file ? `${name} ${file}:${f.lineNumber + 1}` : name;
}

/** Self and inclusive time per function (recursion counted once per stack), in % of all samples. */
export function summarize(profile: CpuProfile): { self: ProfileRow[]; total: ProfileRow[]; idlePct: number; wallMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  if (profile.samples) for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  else for (const n of profile.nodes) hits.set(n.id, n.hitCount ?? 0);
  let all = 0;
  for (const v of hits.values()) all += v;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let idle = 0;
  for (const [id, count] of hits) {
    const node = byId.get(id)!;
    const l = label(node.callFrame);
    if (node.callFrame.functionName === '(idle)') idle += count;
    self.set(l, (self.get(l) ?? 0) + count);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cl = label(byId.get(cur)!.callFrame);
      if (seen.has(cl)) continue;
      seen.add(cl);
      total.set(cl, (total.get(cl) ?? 0) + count);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m.keys()].map((name) => ({ name, selfPct: (100 * (self.get(name) ?? 0)) / all, totalPct: (100 * (total.get(name) ?? 0)) / all }));
  return {
    self: rows(self).sort((a, b) => b.selfPct - a.selfPct),
    total: rows(total).filter((r) => r.name !== '(root)').sort((a, b) => b.totalPct - a.totalPct),
    idlePct: (100 * idle) / all,
    wallMs: (profile.endTime - profile.startTime) / 1000,
  };
}

export function markdown(rows: readonly ProfileRow[], top: number): string {
  const out = ['| self % | total % | function |', '|---:|---:|---|'];
  for (const r of rows.slice(0, top)) out.push(`| ${r.selfPct.toFixed(1)} | ${r.totalPct.toFixed(1)} | \`${r.name}\` |`);
  return out.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
  const top = Number(process.argv[3] ?? 25);
  const s = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  console.log(`profiled: ${s.wallMs.toFixed(0)} ms, idle: ${s.idlePct.toFixed(1)}%\n\nBy self time:\n${markdown(s.self, top)}\n\nBy inclusive time:\n${markdown(s.total, top)}`);
}
