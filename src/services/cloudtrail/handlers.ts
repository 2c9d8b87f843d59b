import type { Clock } from '../../core/clock.js';
import type { Handlers } from '../../core/service.js';
import type { CloudTrailOperations, Event } from './api.gen.js';
import { encodeToken, parseLookup } from './domain/lookup.js';
import type { CloudTrailSink } from './sink.js';
import type { EventStore, StoredEvent } from './store.js';

/** LookupEvents reports times to the second, like the records themselves. */
function toEvent(e: StoredEvent): Event {
  return {
    EventId: e.eventId,
    EventName: e.eventName,
    ReadOnly: String(e.readOnly),
    AccessKeyId: e.accessKeyId,
    EventTime: new Date(Math.floor(e.eventTime / 1000) * 1000),
    EventSource: e.eventSource,
    Username: e.username,
    Resources: e.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: e.eventJson,
  };
}

export function cloudTrailHandlers(deps: { store: EventStore; sink: CloudTrailSink; clock: Clock }): Handlers<CloudTrailOperations> {
  return {
    LookupEvents: async (input, ctx) => {
      const q = parseLookup(input, ctx.accountId, deps.clock.now());
      if (q.insight) return { Events: [] };
      // Read-your-writes: the caller's earlier calls may still be queued.
      await deps.sink.flush();
      const page = await deps.store.lookup(q);
      return {
        Events: page.events.map(toEvent),
        ...(page.next ? { NextToken: encodeToken(page.next, q.fingerprint) } : {}),
      };
    },
  };
}
