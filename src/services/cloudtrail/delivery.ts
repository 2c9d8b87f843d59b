/**
 * Log file delivery to S3, as CloudTrail writes it: gzipped `{"Records":[…]}` files under
 *   [<prefix>/]AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<yyyymmddTHHmmZ>_<random>.json.gz
 * one file per trail, account and region per delivery. Events are batched: a delivery runs `intervalMs`
 * after the first event waiting, or as soon as `maxEvents` wait. Files are written by the CloudTrail service
 * principal through the `TrailWriter` port, so the bucket policy decides, as on AWS.
 */
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { AuditEntry } from './domain/event.js';
import type { TrailRecord, TrailStore } from './trails.js';
import { trailArn } from './trails.js';

/** Writes one object as `cloudtrail.amazonaws.com` on behalf of a trail (aws:SourceArn = the trail). */
export interface TrailWriter {
  put(input: { bucket: string; key: string; body: Uint8Array; trailArn: string; trailAccountId: string }): Promise<void>;
}

/** What organization trails need to know about the organization. */
export interface TrailOrganization {
  organization(): Promise<{ id: string; managementAccountId: string } | undefined>;
  isMember(accountId: string): Promise<boolean>;
}

export interface DeliveryOptions {
  readonly intervalMs?: number;
  readonly maxEvents?: number;
  /** Events waiting at most; beyond it the oldest are dropped (the event history still has them). */
  readonly maxWaiting?: number;
  readonly log?: (msg: string, err?: unknown) => void;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function logFileKey(t: Pick<TrailRecord, 'prefix'>, orgId: string | undefined, account: string, region: string, at: number, random: string): string {
  const d = new Date(at);
  const day = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
  const root = `${t.prefix ? `${t.prefix}/` : ''}AWSLogs/${orgId ? `${orgId}/` : ''}${account}`;
  return `${root}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp}_${random}.json.gz`;
}

export class TrailDelivery {
  private waiting: AuditEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;
  private readonly maxEvents: number;
  private readonly maxWaiting: number;
  private readonly log: (msg: string, err?: unknown) => void;

  constructor(
    private readonly trails: TrailStore,
    private readonly writer: TrailWriter | undefined,
    private readonly org: TrailOrganization | undefined,
    private readonly now: () => number,
    options: DeliveryOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.maxEvents = options.maxEvents ?? 1000;
    this.maxWaiting = options.maxWaiting ?? 50_000;
    this.log = options.log ?? (() => undefined);
  }

  /** Takes the events just written to the history; cheap when no trail is logging. */
  offer(entries: readonly AuditEntry[]): void {
    if (!this.writer) return;
    const logging = this.trails.loggingNow();
    // Before the trails are first read (just after a start) the events wait: a logging trail may be among them.
    if (logging === undefined) void this.trails.all().catch((e: unknown) => this.log('cloudtrail: reading the trails failed', e));
    else if (logging.length === 0) return;
    for (const e of entries) this.waiting.push(e);
    if (this.waiting.length > this.maxWaiting) this.waiting.splice(0, this.waiting.length - this.maxWaiting);
    if (this.waiting.length >= this.maxEvents) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  /** Delivers everything waiting; resolves when the files are written (or their errors recorded). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.tail.then(() => this.deliver());
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async deliver(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0 || !this.writer) return;
    const trails = (this.trails.loggingNow() ?? []).filter((t) => t.logging);
    const org = trails.some((t) => t.isOrganizationTrail) ? await this.org?.organization() : undefined;
    const members = new Map<string, boolean>();
    const member = async (account: string): Promise<boolean> => {
      let m = members.get(account);
      if (m === undefined) members.set(account, (m = (await this.org?.isMember(account)) ?? false));
      return m;
    };
    for (const t of trails) {
      const orgTrail = t.isOrganizationTrail && org !== undefined && org.managementAccountId === t.accountId;
      const groups = new Map<string, AuditEntry[]>();
      for (const e of batch) {
        const mine = orgTrail ? await member(e.recipientAccountId) : e.recipientAccountId === t.accountId;
        if (!mine || (!t.isMultiRegionTrail && e.event.awsRegion !== t.homeRegion)) continue;
        const k = `${e.recipientAccountId}\n${e.event.awsRegion}`;
        let g = groups.get(k);
        if (!g) groups.set(k, (g = []));
        g.push(e);
      }
      for (const [k, entries] of groups) {
        const [account, region] = k.split('\n') as [string, string];
        await this.write(t, orgTrail ? org!.id : undefined, account, region, entries);
      }
    }
  }

  private async write(t: TrailRecord, orgId: string | undefined, account: string, region: string, entries: AuditEntry[]): Promise<void> {
    const arn = trailArn(t);
    const at = this.now();
    const key = logFileKey(t, orgId, account, region, at, randomBytes(8).toString('hex'));
    const body = gzipSync(JSON.stringify({ Records: entries.map((e) => e.event) }));
    const status = this.trails.status.get(arn) ?? {};
    status.latestDeliveryAttemptTime = at;
    this.trails.status.set(arn, status);
    try {
      await this.writer!.put({ bucket: t.bucket, key, body, trailArn: arn, trailAccountId: t.accountId });
      status.latestDeliveryTime = at;
      delete status.latestDeliveryError;
    } catch (e) {
      // AWS reports the S3 error code (AccessDenied, NoSuchBucket) as the trail's LatestDeliveryError.
      status.latestDeliveryError = (e as { code?: string }).code ?? String(e);
      this.log(`cloudtrail: delivery of ${entries.length} event(s) to s3://${t.bucket}/${key} failed`, e);
    }
  }
}
