import type { Clock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import { AwsError } from '../../core/errors.js';
import { ids } from '../../core/ids.js';
import type { ObservabilityLinks } from '../../core/observability.js';
import type { Handlers } from '../../core/service.js';
import type { CloudWatchLogsOperations, LogGroup } from './api.gen.js';
import { checkBatch } from './domain/batch.js';
import { compileFilterPattern } from './domain/filter-pattern.js';
import {
  DAY_MS, RETENTION_DAYS, groupExists, groupNotFound, groupOf, invalidParameter, invalidToken, logGroupArn, logStreamArn,
  parseGroupIdentifier, streamExists, streamNotFound, type GroupRef,
} from './domain/names.js';
import { comparePos, compareEvents, decodePos, encodePos, eventsOf, posOf, scan, scannedIn, type Position } from './events.js';
import { messagePrefilter } from './insights/prefilter.js';
import { parseQuery } from './insights/parse.js';
import { runQuery, type InputEvent as QueryEvent } from './insights/evaluate.js';
import type { QueryRegistry } from './queries.js';
import type { GroupRow, LogsStore, StoredEvent } from './store.js';

export interface HandlerDeps {
  readonly store: LogsStore;
  readonly clock: Clock;
  readonly links?: ObservabilityLinks;
  readonly queries: QueryRegistry;
}

const MAX_EVENTS = 10_000;

export function logsHandlers(deps: HandlerDeps): Handlers<CloudWatchLogsOperations> {
  const { store } = deps;

  /** The group a read names, which may belong to a linked source account (monitoring account's view). */
  const readable = async (ref: GroupRef, ctx: RequestContext): Promise<GroupRow> => {
    if (ref.account !== ctx.accountId) {
      const linked = deps.links ? await deps.links.sourceAccounts(ctx.accountId, ctx.region, 'AWS::Logs::LogGroup') : [];
      if (!linked.includes(ref.account)) throw groupNotFound();
    }
    const g = await store.group(ref);
    if (!g) throw groupNotFound();
    return g;
  };
  const own = async (ref: GroupRef, ctx: RequestContext): Promise<GroupRow> => {
    if (ref.account !== ctx.accountId) throw invalidParameter('The log group must belong to the calling account.');
    const g = await store.group(ref);
    if (!g) throw groupNotFound();
    return g;
  };
  const cutoff = (g: GroupRow, now: number) => (g.retentionDays === undefined ? -Infinity : now - g.retentionDays * DAY_MS);

  const describeGroup = (g: GroupRow): LogGroup => ({
    logGroupName: g.name,
    creationTime: g.creationTime,
    ...(g.retentionDays !== undefined ? { retentionInDays: g.retentionDays } : {}),
    metricFilterCount: 0,
    arn: `${logGroupArn(g.account, g.region, g.name)}:*`,
    logGroupArn: logGroupArn(g.account, g.region, g.name),
    storedBytes: g.storedBytes,
    logGroupClass: 'STANDARD',
  });

  return {
    CreateLogGroup: async (input, ctx) => {
      if (input.logGroupClass !== undefined && input.logGroupClass !== 'STANDARD') throw invalidParameter(`Log group class ${input.logGroupClass} is not supported.`);
      const created = await store.createGroup({ account: ctx.accountId, region: ctx.region, name: input.logGroupName }, ctx.now, input.tags ?? {});
      if (!created) throw groupExists();
      return {};
    },

    DeleteLogGroup: async (input, ctx) => {
      if (!(await store.deleteGroup({ account: ctx.accountId, region: ctx.region, name: input.logGroupName }))) throw groupNotFound();
      return {};
    },

    DescribeLogGroups: async (input, ctx) => {
      if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined)
        throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      const limit = input.limit ?? 50;
      let accounts = [ctx.accountId];
      if (input.includeLinkedAccounts && deps.links) accounts = [...accounts, ...(await deps.links.sourceAccounts(ctx.accountId, ctx.region, 'AWS::Logs::LogGroup'))];
      if (input.accountIdentifiers?.length) {
        if (!input.includeLinkedAccounts) throw invalidParameter('accountIdentifiers requires includeLinkedAccounts to be true.');
        accounts = accounts.filter((a) => input.accountIdentifiers!.includes(a));
      }
      let after: string | undefined;
      if (input.nextToken !== undefined) {
        try {
          after = Buffer.from(input.nextToken, 'base64url').toString('utf8');
        } catch {
          throw invalidToken();
        }
        if (!after.includes('\u0000')) throw invalidToken();
      }
      const rows = await store.listGroups(accounts, ctx.region, {
        ...(input.logGroupNamePrefix !== undefined ? { prefix: input.logGroupNamePrefix } : {}),
        ...(input.logGroupNamePattern !== undefined ? { contains: input.logGroupNamePattern } : {}),
        ...(after !== undefined ? { after } : {}),
        limit,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        logGroups: page.map(describeGroup),
        ...(rows.length > limit && last ? { nextToken: Buffer.from(`${last.name}\u0000${last.account}`, 'utf8').toString('base64url') } : {}),
      };
    },

    PutRetentionPolicy: async (input, ctx) => {
      if (!RETENTION_DAYS.has(input.retentionInDays))
        throw invalidParameter(`1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${[...RETENTION_DAYS].join(', ')}]`);
      if (!(await store.setRetention({ account: ctx.accountId, region: ctx.region, name: input.logGroupName }, input.retentionInDays))) throw groupNotFound();
      return {};
    },

    DeleteRetentionPolicy: async (input, ctx) => {
      if (!(await store.setRetention({ account: ctx.accountId, region: ctx.region, name: input.logGroupName }, null))) throw groupNotFound();
      return {};
    },

    CreateLogStream: async (input, ctx) => {
      const g = await own({ account: ctx.accountId, region: ctx.region, name: input.logGroupName }, ctx);
      if (!(await store.createStream(g, input.logStreamName, ctx.now))) throw streamExists();
      return {};
    },

    DeleteLogStream: async (input, ctx) => {
      const g = await own({ account: ctx.accountId, region: ctx.region, name: input.logGroupName }, ctx);
      if (!(await store.deleteStream(g, input.logStreamName))) throw streamNotFound();
      return {};
    },

    DescribeLogStreams: async (input, ctx) => {
      const g = await readable(groupOf(input, ctx.accountId, ctx.region), ctx);
      const byTime = input.orderBy === 'LastEventTime';
      if (byTime && input.logStreamNamePrefix !== undefined) throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
      const limit = input.limit ?? 50;
      const streams = await store.streams(g, input.logStreamNamePrefix);
      const key = (s: { name: string; lastTs?: number }) => (byTime ? `${String(s.lastTs ?? 0).padStart(16, '0')}\u0000${s.name}` : s.name);
      streams.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      if (input.descending) streams.reverse();
      let start = 0;
      if (input.nextToken !== undefined) {
        const after = Buffer.from(input.nextToken, 'base64url').toString('utf8');
        const i = streams.findIndex((s) => key(s) === after);
        if (i < 0) throw invalidToken();
        start = i + 1;
      }
      const page = streams.slice(start, start + limit);
      return {
        logStreams: page.map((s) => ({
          logStreamName: s.name,
          creationTime: s.creationTime,
          ...(s.firstTs !== undefined ? { firstEventTimestamp: s.firstTs } : {}),
          ...(s.lastTs !== undefined ? { lastEventTimestamp: s.lastTs } : {}),
          ...(s.lastIngestion !== undefined ? { lastIngestionTime: s.lastIngestion } : {}),
          arn: logStreamArn(g.account, g.region, g.name, s.name),
          storedBytes: 0,
        })),
        ...(start + limit < streams.length ? { nextToken: Buffer.from(key(page[page.length - 1]!), 'utf8').toString('base64url') } : {}),
      };
    },

    PutLogEvents: async (input, ctx) => {
      const ref = { account: ctx.accountId, region: ctx.region, name: input.logGroupName };
      const g = await store.group(ref);
      if (!g) throw groupNotFound();
      if (!(await store.stream(ref, input.logStreamName))) throw streamNotFound();
      const checked = checkBatch(input.logEvents, ctx.now, g.retentionDays);
      await store.append(ref, input.logStreamName, checked.accepted, ctx.now);
      return { ...(checked.rejected ? { rejectedLogEventsInfo: checked.rejected } : {}) };
    },

    GetLogEvents: async (input, ctx) => {
      const g = await readable(groupOf(input, ctx.accountId, ctx.region), ctx);
      if (!(await store.stream(g, input.logStreamName))) throw streamNotFound();
      const limit = Math.min(input.limit ?? MAX_EVENTS, MAX_EVENTS);
      const from = Math.max(input.startTime ?? -Infinity, cutoff(g, ctx.now));
      const to = input.endTime ?? Infinity;
      let direction: 'f' | 'b' = input.startFromHead ? 'f' : 'b';
      let at: Position | undefined;
      if (input.nextToken !== undefined) {
        const m = /^([fb])\/(.+)$/.exec(input.nextToken);
        const pos = m ? decodePos(m[2]!) : undefined;
        if (!m || !pos) throw invalidToken();
        direction = m[1] as 'f' | 'b';
        at = pos;
      }
      const all: StoredEvent[] = [];
      for (const b of await store.blocks(g, from, to, [input.logStreamName])) eventsOf(g, b, from, to, all);
      all.sort(compareEvents);
      let page: StoredEvent[];
      if (direction === 'f') {
        const startIdx = at ? all.findIndex((e) => comparePos(posOf(e), at!) > 0) : 0;
        page = startIdx < 0 ? [] : all.slice(startIdx, startIdx + limit);
      } else {
        let endIdx = at ? all.findIndex((e) => comparePos(posOf(e), at!) >= 0) : all.length;
        if (endIdx < 0) endIdx = all.length;
        page = all.slice(Math.max(0, endIdx - limit), endIdx);
      }
      // With no events, both tokens stay where the caller was (AWS hands the same token back at the end).
      const first = page[0], last = page[page.length - 1];
      const edge: Position = at ?? { ts: direction === 'f' ? -1 : Number.MAX_SAFE_INTEGER, block: '0', index: 0 };
      const before: Position = first ? { ...posOf(first), index: posOf(first).index } : edge;
      const afterPos: Position = last ? posOf(last) : edge;
      return {
        events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken: `f/${encodePos(afterPos)}`,
        nextBackwardToken: `b/${encodePos(before)}`,
      };
    },

    FilterLogEvents: async (input, ctx) => {
      const g = await readable(groupOf(input, ctx.accountId, ctx.region), ctx);
      if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined)
        throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
      const pattern = compileFilterPattern(input.filterPattern);
      const limit = Math.min(input.limit ?? MAX_EVENTS, MAX_EVENTS);
      let after: Position | undefined;
      if (input.nextToken !== undefined) {
        after = decodePos(Buffer.from(input.nextToken, 'base64url').toString('utf8'));
        if (!after) throw invalidToken();
      }
      const { events, more } = await scan(store, {
        groups: [g],
        from: input.startTime ?? -Infinity,
        to: input.endTime ?? Infinity,
        ...(input.logStreamNames ? { streams: input.logStreamNames } : {}),
        ...(input.logStreamNamePrefix !== undefined ? { streamPrefix: input.logStreamNamePrefix } : {}),
        pattern,
        ...(after ? { after } : {}),
        limit,
        cutoff: () => cutoff(g, ctx.now),
      });
      const last = events[events.length - 1];
      return {
        events: events.map((e) => ({
          logStreamName: e.stream,
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: e.ingestionTime,
          eventId: `${e.block}-${e.index}`,
        })),
        searchedLogStreams: [],
        ...(more && last ? { nextToken: Buffer.from(encodePos(posOf(last)), 'utf8').toString('base64url') } : {}),
      };
    },

    StartQuery: async (input, ctx) => {
      if (input.queryLanguage !== undefined && input.queryLanguage !== 'CWLI') throw invalidParameter(`Query language ${input.queryLanguage} is not supported.`);
      const named = [input.logGroupName, input.logGroupNames, input.logGroupIdentifiers].filter((x) => x !== undefined).length;
      if (named > 1) throw invalidParameter('LogGroup name, LogGroup names and LogGroup identifiers are mutually exclusive parameters.');
      const refs = [
        ...(input.logGroupName !== undefined ? [input.logGroupName] : []),
        ...(input.logGroupNames ?? []),
        ...(input.logGroupIdentifiers ?? []),
      ].map((id) => parseGroupIdentifier(id, ctx.accountId, ctx.region));
      if (refs.length === 0) throw invalidParameter('Query must specify at least one log group.');
      if (input.endTime < input.startTime) throw invalidParameter('End time must be after start time.');
      const commands = parseQuery(input.queryString);
      const groups = await Promise.all(refs.map((r) => readable(r, ctx)));
      // Insights times are epoch seconds; the end is inclusive.
      const from = input.startTime * 1000, to = input.endTime * 1000 + 1000;
      const events: QueryEvent[] = [];
      const found: StoredEvent[] = [];
      // Leading `filter @message like …` narrows what is decoded; the statistics still count every event scanned.
      const prefilter = messagePrefilter(commands);
      const scanned = { records: 0, bytes: 0 };
      for (const g of groups) {
        const lo = Math.max(from, cutoff(g, ctx.now));
        for (const b of await store.blocks(g, lo, to)) {
          const seen = scannedIn(b.data, lo, to);
          scanned.records += seen.records;
          scanned.bytes += seen.bytes;
          eventsOf(g, b, lo, to, found, prefilter);
        }
      }
      for (const e of found) events.push({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, logStream: e.stream, log: `${e.group.account}:${e.group.name}` });
      const started = deps.clock.now();
      const out = { ...runQuery(commands, events, input.limit ?? 10_000, scanned), logGroupsScanned: groups.length };
      const queryId = ids.uuid();
      deps.queries.add({
        queryId,
        account: ctx.accountId,
        region: ctx.region,
        queryString: input.queryString,
        logGroupName: groups[0]!.name,
        createTime: ctx.now,
        durationMs: deps.clock.now() - started,
        status: 'Complete',
        output: out,
      });
      return { queryId };
    },

    GetQueryResults: async (input, ctx) => {
      const q = deps.queries.get(ctx.accountId, ctx.region, input.queryId);
      if (!q) throw new AwsError('ResourceNotFoundException', `Query does not exist: ${input.queryId}`);
      return {
        queryLanguage: 'CWLI',
        status: q.status,
        results: q.status === 'Complete' ? q.output.rows : [],
        statistics: { recordsMatched: q.output.recordsMatched, recordsScanned: q.output.recordsScanned, bytesScanned: q.output.bytesScanned, logGroupsScanned: q.output.logGroupsScanned },
      };
    },

    StopQuery: async (input, ctx) => {
      const q = deps.queries.get(ctx.accountId, ctx.region, input.queryId);
      if (!q) throw new AwsError('ResourceNotFoundException', `Query does not exist: ${input.queryId}`);
      // Queries run to completion when started; only a running query can be stopped.
      return { success: false };
    },

    DescribeQueries: async (input, ctx) => {
      const max = input.maxResults ?? 1000;
      const all = deps.queries
        .list(ctx.accountId, ctx.region)
        .filter((q) => (input.logGroupName === undefined || q.logGroupName === input.logGroupName) && (input.status === undefined || q.status === input.status));
      let start = 0;
      if (input.nextToken !== undefined) {
        const i = all.findIndex((q) => q.queryId === input.nextToken);
        if (i < 0) throw invalidToken();
        start = i + 1;
      }
      const page = all.slice(start, start + max);
      return {
        queries: page.map((q) => ({ queryLanguage: 'CWLI', queryId: q.queryId, queryString: q.queryString, status: q.status, createTime: q.createTime, logGroupName: q.logGroupName, queryDuration: q.durationMs })),
        ...(start + max < all.length ? { nextToken: page[page.length - 1]!.queryId } : {}),
      };
    },

    TagResource: async (input, ctx) => {
      const g = await own(parseGroupIdentifier(input.resourceArn, ctx.accountId, ctx.region), ctx);
      const tags = { ...g.tags, ...input.tags };
      if (Object.keys(tags).length > 50) throw new AwsError('TooManyTagsException', 'A resource can have no more than 50 tags.');
      await store.setTags(g, tags);
      return {};
    },

    UntagResource: async (input, ctx) => {
      const g = await own(parseGroupIdentifier(input.resourceArn, ctx.accountId, ctx.region), ctx);
      const tags = { ...g.tags };
      for (const k of input.tagKeys) delete tags[k];
      await store.setTags(g, tags);
      return {};
    },

    ListTagsForResource: async (input, ctx) => {
      const g = await own(parseGroupIdentifier(input.resourceArn, ctx.accountId, ctx.region), ctx);
      return { tags: g.tags };
    },
  };
}
