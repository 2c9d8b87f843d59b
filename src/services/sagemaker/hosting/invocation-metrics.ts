/**
 * The `AWS/SageMaker` endpoint metrics AWS publishes per EndpointName + VariantName: Invocations,
 * Invocation4XXErrors, Invocation5XXErrors, ModelLatency and OverheadLatency (microseconds). InvokeEndpoint is a
 * hot path, so each call only bumps counters and a latency tally in memory; every `flushMs` the tallies go to the
 * metrics sink as one datum per metric (latencies as Values/Counts, rounded to 2 significant digits so a tally
 * stays small whatever the call rate).
 */
import type { MetricDatum, MetricsSink } from '../../../core/observability.js';

export type InvocationOutcome = 'ok' | '4xx' | '5xx';

interface Tally {
  readonly accountId: string;
  readonly region: string;
  readonly endpoint: string;
  readonly variant: string;
  invocations: number;
  e4xx: number;
  e5xx: number;
  model: Map<number, number>;
  overhead: Map<number, number>;
}

export interface InvocationMetrics {
  record(accountId: string, region: string, endpoint: string, variant: string, outcome: InvocationOutcome, modelUs: number | undefined, overheadUs: number): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

function round2(v: number): number {
  if (v <= 0) return 0;
  const p = 10 ** (Math.floor(Math.log10(v)) - 1);
  return Math.round(v / p) * p;
}

function bump(m: Map<number, number>, v: number): void {
  const k = round2(v);
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Values/Counts datums of at most 150 distinct values each (PutMetricData's limit). */
function latencyData(name: string, m: Map<number, number>, dims: MetricDatum['dimensions'], timestamp: number): MetricDatum[] {
  const entries = [...m.entries()];
  const out: MetricDatum[] = [];
  for (let i = 0; i < entries.length; i += 150) {
    const chunk = entries.slice(i, i + 150);
    out.push({ metricName: name, dimensions: dims, timestamp, unit: 'Microseconds', values: chunk.map((e) => e[0]), counts: chunk.map((e) => e[1]) });
  }
  return out;
}

export function createInvocationMetrics(sink: MetricsSink, now: () => number, flushMs = 2000): InvocationMetrics {
  let tallies = new Map<string, Tally>();
  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();

  async function flush(): Promise<void> {
    if (tallies.size === 0) return;
    const batch = tallies;
    tallies = new Map();
    const at = now();
    for (const t of batch.values()) {
      const dims = [
        { name: 'EndpointName', value: t.endpoint },
        { name: 'VariantName', value: t.variant },
      ];
      const data: MetricDatum[] = [
        { metricName: 'Invocations', dimensions: dims, timestamp: at, unit: 'None', value: t.invocations },
        { metricName: 'Invocation4XXErrors', dimensions: dims, timestamp: at, unit: 'None', value: t.e4xx },
        { metricName: 'Invocation5XXErrors', dimensions: dims, timestamp: at, unit: 'None', value: t.e5xx },
        ...latencyData('ModelLatency', t.model, dims, at),
        ...latencyData('OverheadLatency', t.overhead, dims, at),
      ];
      await sink.put(t.accountId, t.region, 'AWS/SageMaker', data);
    }
  }

  return {
    record(accountId, region, endpoint, variant, outcome, modelUs, overheadUs) {
      const key = `${accountId}|${region}|${endpoint}|${variant}`;
      let t = tallies.get(key);
      if (!t) tallies.set(key, (t = { accountId, region, endpoint, variant, invocations: 0, e4xx: 0, e5xx: 0, model: new Map(), overhead: new Map() }));
      t.invocations++;
      if (outcome === '4xx') t.e4xx++;
      if (outcome === '5xx') t.e5xx++;
      if (modelUs !== undefined) bump(t.model, modelUs);
      bump(t.overhead, overheadUs);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}

/**
 * Runs an invocation and records it: Invocations always; a ModelError counts as Invocation4XXErrors or
 * Invocation5XXErrors by the container's status, an unreachable container as 5XX. Calls to an endpoint that is
 * not running here are not counted (AWS has no endpoint to count them against).
 */
export async function measuredInvoke<T extends { variant: string; modelMicros: number }>(
  metrics: InvocationMetrics,
  r: { accountId: string; region: string; endpointName: string; targetVariant?: string },
  run: () => Promise<T>,
  live: (name: string) => { readonly variants: readonly { readonly name: string }[] } | undefined,
): Promise<T> {
  const started = performance.now();
  try {
    const out = await run();
    const totalUs = Math.round((performance.now() - started) * 1000);
    metrics.record(r.accountId, r.region, r.endpointName, out.variant, 'ok', out.modelMicros, Math.max(0, totalUs - out.modelMicros));
    return out;
  } catch (e) {
    const endpoint = live(r.endpointName);
    const variant = r.targetVariant ?? (endpoint?.variants.length === 1 ? endpoint.variants[0]!.name : undefined);
    if (endpoint && variant !== undefined && endpoint.variants.some((v) => v.name === variant)) {
      const err = e as { code?: string; fields?: { OriginalStatusCode?: unknown } };
      const original = Number(err.fields?.OriginalStatusCode ?? 0);
      const outcome: InvocationOutcome = err.code === 'ModelError' && original >= 400 && original < 500 ? '4xx' : err.code === 'ModelError' || err.code === 'ServiceUnavailable' ? '5xx' : '4xx';
      metrics.record(r.accountId, r.region, r.endpointName, variant, outcome, undefined, Math.round((performance.now() - started) * 1000));
    }
    throw e;
  }
}
