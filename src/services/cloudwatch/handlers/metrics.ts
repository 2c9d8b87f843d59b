/**
 * PutMetricData, GetMetricStatistics, GetMetricData and ListMetrics, over the caller's account and, for a
 * monitoring account, the source accounts linked to it (OAM `AWS::CloudWatch::Metric`).
 */
import type { RequestContext } from '../../../core/context.js';
import type { MetricDatum } from '../../../core/observability.js';
import type { Handlers } from '../../../core/service.js';
import type {
  CloudWatchOperations,
  Datapoint,
  GetMetricDataInput,
  MetricDataQuery,
  MetricDataResult,
  MetricDatum as WireDatum,
} from '../api.gen.js';
import { CloudWatchErrors } from '../api.gen.js';
import { evaluate, parseExpression, referencedIds, type Node, type Series, type Value } from '../domain/math.js';
import { bucketWrites } from '../domain/put.js';
import { matchesSearch, parseSearch } from '../domain/search.js';
import { isKnownStatistic, statistic } from '../domain/sketch.js';
import { periodAggregates, statSeries } from '../reader.js';
import { LISTED_MS, type StoredMetric } from '../store.js';
import { decodeToken, encodeToken, visibleAccounts, type HandlerDeps } from './deps.js';

const invalid = CloudWatchErrors.InvalidParameterValueException;
const combination = CloudWatchErrors.InvalidParameterCombinationException;

export function toDatum(d: WireDatum): MetricDatum {
  return {
    metricName: d.MetricName,
    dimensions: d.Dimensions?.map((x) => ({ name: x.Name, value: x.Value })),
    timestamp: d.Timestamp ? new Date(d.Timestamp as unknown as Date).getTime() : undefined,
    value: d.Value,
    values: d.Values,
    counts: d.Counts,
    statisticValues: d.StatisticValues && {
      sampleCount: d.StatisticValues.SampleCount,
      sum: d.StatisticValues.Sum,
      minimum: d.StatisticValues.Minimum,
      maximum: d.StatisticValues.Maximum,
    },
    unit: d.Unit,
    storageResolution: d.StorageResolution,
  };
}

function ms(t: unknown): number {
  return (t as Date).getTime();
}

function sortedDims(dims: readonly { Name: string; Value: string }[] | undefined): { Name: string; Value: string }[] {
  return [...(dims ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

function sameDims(a: readonly { Name: string; Value: string }[], b: readonly { Name: string; Value: string }[]): boolean {
  return a.length === b.length && a.every((d, i) => d.Name === b[i]!.Name && d.Value === b[i]!.Value);
}

/** The stored metric with exactly these dimensions (CloudWatch matches dimension sets exactly), in one of `accounts`. */
async function findMetric(
  deps: HandlerDeps,
  accounts: readonly string[],
  region: string,
  namespace: string,
  metricName: string,
  dims: readonly { Name: string; Value: string }[] | undefined,
): Promise<StoredMetric | undefined> {
  const want = sortedDims(dims);
  const found = await deps.store.metrics({ accounts, region, namespace, metricName });
  return found.find((m) => sameDims(m.dimensions, want));
}

function checkPeriod(period: number, path: string): void {
  if (period >= 60 ? period % 60 !== 0 : ![1, 5, 10, 20, 30].includes(period)) {
    throw invalid(`The parameter ${path} must be 1, 5, 10, 20, 30, or a multiple of 60.`);
  }
}

function checkRange(start: number, end: number): void {
  if (!(start < end)) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
}

function fingerprint(v: unknown): string {
  return JSON.stringify(v).length.toString(36) + ':' + JSON.stringify(v).slice(0, 64);
}

export function metricHandlers(deps: HandlerDeps): Handlers<CloudWatchOperations> {
  return {
    PutMetricData: async (input, ctx) => {
      if (input.Namespace.startsWith('AWS/')) throw invalid(`The value ${input.Namespace} for parameter Namespace is invalid.`);
      if (!input.MetricData?.length) throw CloudWatchErrors.MissingRequiredParameterException('The parameter MetricData is required.');
      const writes = bucketWrites(ctx.accountId, ctx.region, input.Namespace, input.MetricData.map(toDatum), ctx.now);
      await deps.store.write(writes, ctx.now);
      return {};
    },

    GetMetricStatistics: async (input, ctx) => {
      const start = ms(input.StartTime);
      const end = ms(input.EndTime);
      checkRange(start, end);
      checkPeriod(input.Period, 'Period');
      const stats = input.Statistics ?? [];
      const ext = input.ExtendedStatistics ?? [];
      if (stats.length === 0 && ext.length === 0) throw CloudWatchErrors.MissingRequiredParameterException('Must specify either Statistics or ExtendedStatistics.');
      if (stats.length > 0 && ext.length > 0) throw combination('The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.');
      for (const [i, e] of ext.entries()) {
        if (!isKnownStatistic(e)) throw invalid(`The value ${e} for parameter ExtendedStatistics.member.${i + 1} is invalid.`);
      }
      const periods = Math.ceil((end - Math.floor(start / (input.Period * 1000)) * input.Period * 1000) / (input.Period * 1000));
      if (periods > 1440) {
        throw combination(
          `You have requested up to ${periods.toLocaleString('en-US')} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
        );
      }
      const metric = await findMetric(deps, [ctx.accountId], ctx.region, input.Namespace, input.MetricName, input.Dimensions);
      const aggregates = metric ? await periodAggregates(deps.store, metric.id, input.Period, start, end, input.Unit) : [];
      const datapoints: Datapoint[] = aggregates.map((a) => {
        const dp: Datapoint = { Timestamp: new Date(a.t) as never, Unit: a.unit as Datapoint['Unit'] };
        const bag = dp as Record<string, unknown>;
        for (const s of stats) bag[s] = statistic(a.bucket, s);
        if (ext.length) dp.ExtendedStatistics = Object.fromEntries(ext.map((e) => [e, statistic(a.bucket, e)!]));
        return dp;
      });
      return { Label: input.MetricName, Datapoints: datapoints };
    },

    GetMetricData: async (input, ctx) => getMetricData(deps, input, ctx),

    ListMetrics: async (input, ctx) => {
      const include = input.IncludeLinkedAccounts === true;
      let accounts = await visibleAccounts(deps, ctx, include);
      if (input.OwningAccount !== undefined) {
        if (!include) throw combination('The parameter OwningAccount can only be used with IncludeLinkedAccounts set to true.');
        accounts = accounts.filter((a) => a === input.OwningAccount);
      }
      // Only metrics with data in the past two weeks are listed (older ones keep their data for GetMetricData).
      const since = ctx.now - (input.RecentlyActive === 'PT3H' ? 3 * 3600_000 : LISTED_MS);
      const all = await deps.store.metrics({ accounts, region: ctx.region, namespace: input.Namespace, metricName: input.MetricName, since });
      const filters = input.Dimensions ?? [];
      const matching = all.filter((m) => filters.every((f) => m.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value))));
      const fp = fingerprint([input.Namespace, input.MetricName, filters, input.RecentlyActive, include, input.OwningAccount]);
      const offset = decodeToken(input.NextToken, fp);
      const page = matching.slice(offset, offset + 500);
      return {
        Metrics: page.map((m) => ({ Namespace: m.namespace, MetricName: m.metricName, Dimensions: m.dimensions.map((d) => ({ ...d })) })),
        ...(include ? { OwningAccounts: page.map((m) => m.account) } : {}),
        ...(offset + 500 < matching.length ? { NextToken: encodeToken(offset + 500, fp) } : {}),
      };
    },
  };
}

/** What GetMetricData computes before paging: one entry per returned series, in query order. */
interface Computed {
  readonly id: string;
  readonly label: string;
  readonly points: [number, number][];
}

const MAX_QUERIES = 500;

export async function getMetricData(deps: HandlerDeps, input: GetMetricDataInput, ctx: Pick<RequestContext, 'accountId' | 'region'>) {
  const start = ms(input.StartTime);
  const end = ms(input.EndTime);
  checkRange(start, end);
  const queries = input.MetricDataQueries;
  if (queries.length > MAX_QUERIES) throw invalid(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
  const byId = new Map<string, MetricDataQuery>();
  const parsed = new Map<string, Node>();
  queries.forEach((q, i) => {
    const p = `MetricDataQueries.member.${i + 1}`;
    if (byId.has(q.Id)) throw invalid(`The value ${q.Id} for parameter ${p}.Id is duplicated.`);
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id)) throw invalid(`The value ${q.Id} for parameter ${p}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
    byId.set(q.Id, q);
    if ((q.MetricStat === undefined) === (q.Expression === undefined)) {
      throw combination(`The parameter ${p} must specify exactly one of MetricStat or Expression.`);
    }
    if (q.MetricStat) {
      checkPeriod(q.MetricStat.Period, `${p}.MetricStat.Period`);
      if (!isKnownStatistic(q.MetricStat.Stat)) throw invalid(`The value ${q.MetricStat.Stat} for parameter ${p}.MetricStat.Stat is invalid.`);
    } else {
      parsed.set(q.Id, parseExpression(q.Expression!));
    }
  });
  if (!queries.some((q) => q.ReturnData !== false)) throw invalid('At least one MetricDataQuery must have ReturnData set to true.');
  for (const [id, node] of parsed) {
    for (const ref of referencedIds(node)) {
      if (!byId.has(ref)) throw invalid(`Unrecognized metric id ${ref} in the expression of ${id}.`);
    }
  }
  const accounts = await visibleAccounts(deps, ctx);
  const period = queries.find((q) => q.MetricStat)?.MetricStat!.Period ?? queries.find((q) => q.Period)?.Period ?? 60;
  const periodMs = period * 1000;
  const grid: number[] = [];
  for (let t = Math.floor(start / periodMs) * periodMs; t < end; t += periodMs) grid.push(t);

  // Metric stats and SEARCH() need the database; fetch them first, then evaluate expressions synchronously.
  const values = new Map<string, Value>();
  for (const q of queries) {
    if (!q.MetricStat) continue;
    const ms = q.MetricStat;
    const owner = q.AccountId ?? ctx.accountId;
    const label = q.Label ?? ms.Metric.MetricName ?? q.Id;
    const metric = accounts.includes(owner) && ms.Metric.Namespace && ms.Metric.MetricName
      ? await findMetric(deps, [owner], ctx.region, ms.Metric.Namespace, ms.Metric.MetricName, ms.Metric.Dimensions)
      : undefined;
    values.set(q.Id, metric ? await statSeries(deps.store, metric, ms.Stat, ms.Period, start, end, label, ms.Unit, ctx.accountId) : { label, points: new Map() });
  }
  const searches = new Map<string, Series[]>();
  for (const node of parsed.values()) {
    for (const s of searchCalls(node)) {
      const key = JSON.stringify(s);
      if (searches.has(key)) continue;
      if (!isKnownStatistic(s.stat)) throw invalid(`The value ${s.stat} for the statistic of SEARCH is invalid.`);
      const q = parseSearch(s.expression);
      const all = await deps.store.metrics({ accounts, region: ctx.region, namespace: q.namespace, since: deps.now() - LISTED_MS });
      const found: Series[] = [];
      for (const m of all.filter((x) => matchesSearch(q, x))) {
        const label = m.dimensions.length ? m.dimensions.map((d) => d.Value).join(' ') + ` ${m.metricName}` : m.metricName;
        found.push(await statSeries(deps.store, m, s.stat, s.period ?? period, start, end, label, undefined, ctx.accountId));
      }
      searches.set(key, found);
    }
  }
  const evaluating = new Set<string>();
  const valueOf = (id: string): Value => {
    const known = values.get(id);
    if (known !== undefined) return known;
    if (evaluating.has(id)) throw invalid(`Circular dependency in the expression of ${id}.`);
    evaluating.add(id);
    const q = byId.get(id)!;
    const v = evaluate(parsed.get(id)!, {
      query: valueOf,
      // METRICS() is the request's metrics (MetricStat queries); expressions are not included, as in CloudWatch.
      metricIds: () => queries.filter((x) => x.MetricStat).map((x) => x.Id),
      search: (expression, stat, p) => searches.get(JSON.stringify({ expression, stat, period: p === period ? undefined : p })) ?? searches.get(JSON.stringify({ expression, stat, period: p })) ?? [],
      grid,
      period,
    }, q.Label ?? id);
    values.set(id, v);
    return v;
  };

  const computed: Computed[] = [];
  for (const q of queries) {
    const v = valueOf(q.Id);
    if (q.ReturnData === false) continue;
    const list: Series[] = typeof v === 'number' ? [{ label: q.Label ?? q.Id, points: new Map(grid.map((t) => [t, v])) }] : Array.isArray(v) ? v : [v];
    for (const s of list) {
      const points = [...s.points.entries()].filter(([t]) => t >= grid[0]! && t < end).sort((a, b) => (input.ScanBy === 'TimestampAscending' ? a[0] - b[0] : b[0] - a[0]));
      computed.push({ id: q.Id, label: Array.isArray(v) && q.Label ? `${q.Label} ${s.label}` : s.label, points });
    }
  }
  return page(computed, input);
}

function page(computed: Computed[], input: GetMetricDataInput) {
  const max = input.MaxDatapoints ?? 100_800;
  const fp = fingerprint([input.MetricDataQueries, ms(input.StartTime), ms(input.EndTime), input.ScanBy]);
  let skip = decodeToken(input.NextToken, fp);
  let budget = max;
  let consumed = skip;
  const results: MetricDataResult[] = [];
  let more = false;
  for (const c of computed) {
    if (skip > 0 && skip >= c.points.length) {
      skip -= c.points.length;
      continue;
    }
    if (budget === 0) {
      more = true;
      break;
    }
    const slice = c.points.slice(skip, skip + budget);
    const partial = skip + slice.length < c.points.length;
    budget -= slice.length;
    consumed += slice.length;
    skip = 0;
    results.push({
      Id: c.id,
      Label: c.label,
      Timestamps: slice.map(([t]) => new Date(t)) as never,
      Values: slice.map(([, v]) => v),
      StatusCode: partial ? 'PartialData' : 'Complete',
    });
    if (partial) {
      more = true;
      break;
    }
  }
  return { MetricDataResults: results, Messages: [], ...(more ? { NextToken: encodeToken(consumed, fp) } : {}) };
}

function searchCalls(n: Node): { expression: string; stat: string; period?: number }[] {
  if (n.kind === 'call' && n.name === 'SEARCH') {
    const [e, s, p] = n.args;
    if (e?.kind === 'str' && s?.kind === 'str') return [{ expression: e.value, stat: s.value, ...(p?.kind === 'num' ? { period: p.value } : {}) }];
    return [];
  }
  if (n.kind === 'call') return n.args.flatMap(searchCalls);
  if (n.kind === 'bin') return [...searchCalls(n.left), ...searchCalls(n.right)];
  if (n.kind === 'neg') return searchCalls(n.arg);
  if (n.kind === 'array') return n.items.flatMap(searchCalls);
  return [];
}
