/**
 * Sinks, links and their tags in the metadata database. Every read goes to the database (no cache), so a deleted
 * link or sink stops sharing at once.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../persistence/db.js';

export interface Sink {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly id: string;
  readonly name: string;
  readonly policy?: string;
  readonly createdAt: number;
}

export interface LinkConfigurationRecord {
  readonly LogGroupConfiguration?: { readonly Filter: string };
  readonly MetricConfiguration?: { readonly Filter: string };
}

export interface Link {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly id: string;
  readonly sinkArn: string;
  readonly label: string;
  readonly labelTemplate: string;
  readonly resourceTypes: readonly string[];
  readonly linkConfiguration?: LinkConfigurationRecord;
  readonly createdAt: number;
}

interface SinkRow {
  arn: string;
  account_id: string;
  region: string;
  id: string;
  name: string;
  policy: string | null;
  created_at: number | string;
}

interface LinkRow {
  arn: string;
  account_id: string;
  region: string;
  id: string;
  sink_arn: string;
  label: string;
  label_template: string;
  resource_types: string;
  link_configuration: string | null;
  created_at: number | string;
}

interface Tables {
  oam_sink: SinkRow;
  oam_link: LinkRow;
  oam_tag: { resource_arn: string; key: string; value: string };
}

type Q = Kysely<Tables>;

function toSink(r: SinkRow): Sink {
  return { arn: r.arn, accountId: r.account_id, region: r.region, id: r.id, name: r.name, ...(r.policy !== null ? { policy: r.policy } : {}), createdAt: Number(r.created_at) };
}

function toLink(r: LinkRow): Link {
  return {
    arn: r.arn,
    accountId: r.account_id,
    region: r.region,
    id: r.id,
    sinkArn: r.sink_arn,
    label: r.label,
    labelTemplate: r.label_template,
    resourceTypes: JSON.parse(r.resource_types) as string[],
    ...(r.link_configuration !== null ? { linkConfiguration: JSON.parse(r.link_configuration) as LinkConfigurationRecord } : {}),
    createdAt: Number(r.created_at),
  };
}

function sinkRow(s: Sink): SinkRow {
  return { arn: s.arn, account_id: s.accountId, region: s.region, id: s.id, name: s.name, policy: s.policy ?? null, created_at: s.createdAt };
}

function linkRow(l: Link): LinkRow {
  return {
    arn: l.arn,
    account_id: l.accountId,
    region: l.region,
    id: l.id,
    sink_arn: l.sinkArn,
    label: l.label,
    label_template: l.labelTemplate,
    resource_types: JSON.stringify(l.resourceTypes),
    link_configuration: l.linkConfiguration ? JSON.stringify(l.linkConfiguration) : null,
    created_at: l.createdAt,
  };
}

export class OamStore {
  constructor(private readonly db: Database) {}

  private q(trx?: Kysely<any>): Q {
    return (trx ?? this.db.kysely) as Q;
  }

  /** Runs `fn` in one transaction (checks and writes of one call together). */
  transaction<T>(fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async sink(arn: string, trx?: Kysely<any>): Promise<Sink | undefined> {
    const r = await this.q(trx).selectFrom('oam_sink').selectAll().where('arn', '=', arn).executeTakeFirst();
    return r ? toSink(r) : undefined;
  }

  async sinkOf(accountId: string, region: string, trx?: Kysely<any>): Promise<Sink | undefined> {
    const r = await this.q(trx).selectFrom('oam_sink').selectAll().where('account_id', '=', accountId).where('region', '=', region).executeTakeFirst();
    return r ? toSink(r) : undefined;
  }

  async sinks(accountId: string, region: string): Promise<Sink[]> {
    const rows = await this.q().selectFrom('oam_sink').selectAll().where('account_id', '=', accountId).where('region', '=', region).orderBy('arn').execute();
    return rows.map(toSink);
  }

  async insertSinks(sinks: readonly Sink[], trx?: Kysely<any>): Promise<void> {
    if (sinks.length > 0) await this.q(trx).insertInto('oam_sink').values(sinks.map(sinkRow)).execute();
  }

  async setSinkPolicy(arn: string, policy: string, trx?: Kysely<any>): Promise<void> {
    await this.q(trx).updateTable('oam_sink').set({ policy }).where('arn', '=', arn).execute();
  }

  async deleteSink(arn: string, trx: Kysely<any>): Promise<void> {
    await this.q(trx).deleteFrom('oam_sink').where('arn', '=', arn).execute();
    await this.q(trx).deleteFrom('oam_tag').where('resource_arn', '=', arn).execute();
  }

  async link(arn: string, trx?: Kysely<any>): Promise<Link | undefined> {
    const r = await this.q(trx).selectFrom('oam_link').selectAll().where('arn', '=', arn).executeTakeFirst();
    return r ? toLink(r) : undefined;
  }

  /** The source account's links in `region`, by ARN. */
  async links(accountId: string, region: string, trx?: Kysely<any>): Promise<Link[]> {
    const rows = await this.q(trx).selectFrom('oam_link').selectAll().where('account_id', '=', accountId).where('region', '=', region).orderBy('arn').execute();
    return rows.map(toLink);
  }

  /** The links attached to a sink, by ARN. */
  async attached(sinkArn: string): Promise<Link[]> {
    const rows = await this.q().selectFrom('oam_link').selectAll().where('sink_arn', '=', sinkArn).orderBy('arn').execute();
    return rows.map(toLink);
  }

  /** Links to the sinks `monitoringAccount` has in `region` (sinks that still exist). */
  async linksInto(monitoringAccount: string, region: string): Promise<Link[]> {
    const rows = await this.q()
      .selectFrom('oam_link')
      .innerJoin('oam_sink', 'oam_sink.arn', 'oam_link.sink_arn')
      .selectAll('oam_link')
      .where('oam_sink.account_id', '=', monitoringAccount)
      .where('oam_sink.region', '=', region)
      .orderBy('oam_link.arn')
      .execute();
    return rows.map(toLink);
  }

  async insertLinks(links: readonly Link[], trx?: Kysely<any>): Promise<void> {
    if (links.length > 0) await this.q(trx).insertInto('oam_link').values(links.map(linkRow)).execute();
  }

  async updateLink(link: Link, trx: Kysely<any>): Promise<void> {
    const { arn: _arn, ...rest } = linkRow(link);
    await this.q(trx).updateTable('oam_link').set(rest).where('arn', '=', link.arn).execute();
  }

  async deleteLink(arn: string, trx: Kysely<any>): Promise<void> {
    await this.q(trx).deleteFrom('oam_link').where('arn', '=', arn).execute();
    await this.q(trx).deleteFrom('oam_tag').where('resource_arn', '=', arn).execute();
  }

  async tags(resourceArn: string, trx?: Kysely<any>): Promise<Record<string, string>> {
    const rows = await this.q(trx).selectFrom('oam_tag').select(['key', 'value']).where('resource_arn', '=', resourceArn).orderBy('key').execute();
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  /** Sets (adds or overwrites) the given tags. */
  async putTags(resourceArn: string, tags: Readonly<Record<string, string>>, trx: Kysely<any>): Promise<void> {
    const keys = Object.keys(tags);
    if (keys.length === 0) return;
    await this.q(trx).deleteFrom('oam_tag').where('resource_arn', '=', resourceArn).where('key', 'in', keys).execute();
    await this.q(trx)
      .insertInto('oam_tag')
      .values(keys.map((key) => ({ resource_arn: resourceArn, key, value: tags[key]! })))
      .execute();
  }

  async removeTags(resourceArn: string, keys: readonly string[], trx?: Kysely<any>): Promise<void> {
    if (keys.length > 0) await this.q(trx).deleteFrom('oam_tag').where('resource_arn', '=', resourceArn).where('key', 'in', [...keys]).execute();
  }
}
