/**
 * Events services emit as AWS services do to EventBridge (`source: aws.sagemaker`, a `detail-type`, a detail
 * object). Until mlzone has EventBridge, `app/` connects this port to a bounded in-memory log shown at
 * `/_mlzone/events`; the events issue will deliver them to each account's default bus instead.
 */
export interface ServiceEvent {
  readonly source: string;
  readonly detailType: string;
  /** The account whose bus receives it (the resource owner's). */
  readonly account: string;
  readonly region: string;
  /** Milliseconds since epoch. */
  readonly time: number;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface EventPort {
  /** Fire and forget: emitting never fails the call that caused it. */
  publish(event: ServiceEvent): void;
}
