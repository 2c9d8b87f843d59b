import { ids } from '../core/ids.js';
import type { EventPort, ServiceEvent } from '../core/events.js';

/** An event as EventBridge would deliver it (the envelope of `PutEvents` targets). */
export interface DeliveredEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * The newest `capacity` events services emitted, in EventBridge's envelope, until EventBridge exists to deliver
 * them. Bounded so a long-running server does not grow with every pipeline step.
 */
export class EventLog implements EventPort {
  private readonly events: DeliveredEvent[] = [];

  constructor(private readonly capacity = 10_000) {}

  publish(e: ServiceEvent): void {
    this.events.push({
      version: '0',
      id: ids.uuid(),
      'detail-type': e.detailType,
      source: e.source,
      account: e.account,
      time: new Date(e.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: e.region,
      resources: e.resources,
      detail: e.detail,
    });
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
  }

  /** Oldest first; optionally only one account's or one detail-type's. */
  list(filter: { account?: string; detailType?: string } = {}): DeliveredEvent[] {
    return this.events.filter((e) => (!filter.account || e.account === filter.account) && (!filter.detailType || e['detail-type'] === filter.detailType));
  }
}
