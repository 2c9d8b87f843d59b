/**
 * Reads and writes of the ECR tables. Every function takes the executor to use (the database or an open
 * transaction), so one operation's reads and writes share a transaction. No checks here: `registry.ts`
 * decides with the pure rules in `domain/` before it writes.
 */
import type { Kysely } from 'kysely';
import type { ExclusionFilter, ImageRecord, ImageSummary, RepositoryRecord, ResourceTag, TagMutability } from './domain/model.js';

type Big = number | string | bigint;

type EcrTables = {
  ecr_repository: {
    arn: string;
    account_id: string;
    region: string;
    name: string;
    created_at: Big;
    tag_mutability: string;
    exclusion_filters: string;
    scan_on_push: number;
    encryption_type: string;
    kms_key: string | null;
    policy: string | null;
  };
  ecr_repository_tag: { repository_arn: string; key: string; value: string };
  ecr_image: {
    repository_arn: string;
    digest: string;
    manifest: string;
    media_type: string;
    artifact_media_type: string | null;
    size_bytes: Big | null;
    pushed_at: Big;
    last_pulled_at: Big | null;
  };
  ecr_image_tag: { repository_arn: string; tag: string; digest: string; tagged_at: Big; seq: Big };
};

type Ex = Kysely<any>;
const t = (ex: Ex) => ex.withTables<EcrTables>();
/** bigint columns come back as numbers from SQLite and as strings from PostgreSQL. */
const ms = (v: Big): number => Number(v);

type RepositoryRow = EcrTables['ecr_repository'];

function repositoryOf(r: RepositoryRow): RepositoryRecord {
  return {
    arn: r.arn,
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    createdAt: ms(r.created_at),
    imageTagMutability: r.tag_mutability as TagMutability,
    exclusionFilters: JSON.parse(r.exclusion_filters) as ExclusionFilter[],
    scanOnPush: Number(r.scan_on_push) === 1,
    encryptionType: r.encryption_type,
    ...(r.kms_key !== null ? { kmsKey: r.kms_key } : {}),
    ...(r.policy !== null ? { policy: r.policy } : {}),
  };
}

function repositoryRow(r: RepositoryRecord): RepositoryRow {
  return {
    arn: r.arn,
    account_id: r.accountId,
    region: r.region,
    name: r.name,
    created_at: r.createdAt,
    tag_mutability: r.imageTagMutability,
    exclusion_filters: JSON.stringify(r.exclusionFilters),
    scan_on_push: r.scanOnPush ? 1 : 0,
    encryption_type: r.encryptionType,
    kms_key: r.kmsKey ?? null,
    policy: r.policy ?? null,
  };
}

type ImageRow = Omit<EcrTables['ecr_image'], 'manifest' | 'repository_arn'>;

function summaryOf(r: ImageRow, tags: readonly string[]): ImageSummary {
  return {
    digest: r.digest,
    mediaType: r.media_type,
    ...(r.artifact_media_type !== null ? { artifactMediaType: r.artifact_media_type } : {}),
    ...(r.size_bytes !== null ? { sizeInBytes: ms(r.size_bytes) } : {}),
    pushedAt: ms(r.pushed_at),
    ...(r.last_pulled_at !== null ? { lastPulledAt: ms(r.last_pulled_at) } : {}),
    tags,
  };
}

const SUMMARY_COLUMNS = ['digest', 'media_type', 'artifact_media_type', 'size_bytes', 'pushed_at', 'last_pulled_at'] as const;

export const store = {
  async repository(ex: Ex, arn: string): Promise<RepositoryRecord | undefined> {
    const row = await t(ex).selectFrom('ecr_repository').selectAll().where('arn', '=', arn).executeTakeFirst();
    return row && repositoryOf(row as RepositoryRow);
  },

  /** Repositories of one registry (account and region), by name. */
  async repositories(ex: Ex, accountId: string, region: string): Promise<RepositoryRecord[]> {
    const rows = await t(ex).selectFrom('ecr_repository').selectAll().where('account_id', '=', accountId).where('region', '=', region).orderBy('name').execute();
    return rows.map((r) => repositoryOf(r as RepositoryRow));
  },

  async insertRepository(ex: Ex, r: RepositoryRecord): Promise<void> {
    await t(ex).insertInto('ecr_repository').values(repositoryRow(r)).execute();
  },

  /** ARNs of the repositories of some accounts (every region). */
  async repositoryArnsOf(ex: Ex, accountIds: readonly string[]): Promise<string[]> {
    if (accountIds.length === 0) return [];
    const rows = await t(ex).selectFrom('ecr_repository').select('arn').where('account_id', 'in', [...accountIds]).execute();
    return rows.map((r) => r.arn);
  },

  /** New repositories with their resource tags: one insert per table (the blueprint loader). */
  async insertRepositories(ex: Ex, repos: ReadonlyArray<{ record: RepositoryRecord; tags: readonly ResourceTag[] }>): Promise<void> {
    if (repos.length === 0) return;
    await t(ex).insertInto('ecr_repository').values(repos.map((r) => repositoryRow(r.record))).execute();
    const tags = repos.flatMap((r) => r.tags.map((x) => ({ repository_arn: r.record.arn, key: x.key, value: x.value })));
    if (tags.length > 0) await t(ex).insertInto('ecr_repository_tag').values(tags).execute();
  },

  /** Deletes the repository with its images, image tags and resource tags. */
  async deleteRepository(ex: Ex, arn: string): Promise<void> {
    await t(ex).deleteFrom('ecr_image_tag').where('repository_arn', '=', arn).execute();
    await t(ex).deleteFrom('ecr_image').where('repository_arn', '=', arn).execute();
    await t(ex).deleteFrom('ecr_repository_tag').where('repository_arn', '=', arn).execute();
    await t(ex).deleteFrom('ecr_repository').where('arn', '=', arn).execute();
  },

  async setPolicy(ex: Ex, arn: string, policy: string | undefined): Promise<void> {
    await t(ex).updateTable('ecr_repository').set({ policy: policy ?? null }).where('arn', '=', arn).execute();
  },

  async setMutability(ex: Ex, arn: string, mutability: TagMutability, filters: readonly ExclusionFilter[]): Promise<void> {
    await t(ex)
      .updateTable('ecr_repository')
      .set({ tag_mutability: mutability, exclusion_filters: JSON.stringify(filters) })
      .where('arn', '=', arn)
      .execute();
  },

  async setScanOnPush(ex: Ex, arn: string, scanOnPush: boolean): Promise<void> {
    await t(ex).updateTable('ecr_repository').set({ scan_on_push: scanOnPush ? 1 : 0 }).where('arn', '=', arn).execute();
  },

  async resourceTags(ex: Ex, arn: string): Promise<ResourceTag[]> {
    const rows = await t(ex).selectFrom('ecr_repository_tag').select(['key', 'value']).where('repository_arn', '=', arn).orderBy('key').execute();
    return rows.map((r) => ({ key: r.key, value: r.value }));
  },

  /** Replaces the repository's whole tag set. */
  async setResourceTags(ex: Ex, arn: string, tags: readonly ResourceTag[]): Promise<void> {
    await t(ex).deleteFrom('ecr_repository_tag').where('repository_arn', '=', arn).execute();
    if (tags.length === 0) return;
    await t(ex)
      .insertInto('ecr_repository_tag')
      .values(tags.map((x) => ({ repository_arn: arn, key: x.key, value: x.value })))
      .execute();
  },

  async imageCount(ex: Ex, arn: string): Promise<number> {
    const row = await t(ex).selectFrom('ecr_image').select((eb) => eb.fn.countAll<Big>().as('n')).where('repository_arn', '=', arn).executeTakeFirst();
    return Number(row?.n ?? 0);
  },

  async hasImage(ex: Ex, arn: string, digest: string): Promise<boolean> {
    const row = await t(ex).selectFrom('ecr_image').select('digest').where('repository_arn', '=', arn).where('digest', '=', digest).executeTakeFirst();
    return row !== undefined;
  },

  /** The image with its manifest and tags. */
  async image(ex: Ex, arn: string, digest: string): Promise<ImageRecord | undefined> {
    const row = await t(ex).selectFrom('ecr_image').selectAll().where('repository_arn', '=', arn).where('digest', '=', digest).executeTakeFirst();
    if (!row) return undefined;
    return { ...summaryOf(row as ImageRow, await store.tagsOf(ex, arn, digest)), manifest: row.manifest as string };
  },

  /** Every image of the repository without manifests, oldest push first. */
  async images(ex: Ex, arn: string): Promise<ImageSummary[]> {
    const [rows, tags] = await Promise.all([
      t(ex).selectFrom('ecr_image').select([...SUMMARY_COLUMNS]).where('repository_arn', '=', arn).orderBy('pushed_at').orderBy('digest').execute(),
      t(ex).selectFrom('ecr_image_tag').select(['tag', 'digest']).where('repository_arn', '=', arn).orderBy('seq').execute(),
    ]);
    const byDigest = new Map<string, string[]>();
    for (const r of tags) {
      let list = byDigest.get(r.digest);
      if (!list) byDigest.set(r.digest, (list = []));
      list.push(r.tag);
    }
    return rows.map((r) => summaryOf(r as ImageRow, byDigest.get(r.digest) ?? []));
  },

  /** Tag → digest for the whole repository. */
  async tagMap(ex: Ex, arn: string): Promise<Map<string, string>> {
    const rows = await t(ex).selectFrom('ecr_image_tag').select(['tag', 'digest']).where('repository_arn', '=', arn).execute();
    return new Map(rows.map((r) => [r.tag, r.digest]));
  },

  async digestOfTag(ex: Ex, arn: string, tag: string): Promise<string | undefined> {
    const row = await t(ex).selectFrom('ecr_image_tag').select('digest').where('repository_arn', '=', arn).where('tag', '=', tag).executeTakeFirst();
    return row?.digest;
  },

  async tagsOf(ex: Ex, arn: string, digest: string): Promise<string[]> {
    const rows = await t(ex)
      .selectFrom('ecr_image_tag')
      .select('tag')
      .where('repository_arn', '=', arn)
      .where('digest', '=', digest)
      .orderBy('seq')
      .execute();
    return rows.map((r) => r.tag);
  },

  async insertImage(ex: Ex, arn: string, img: Omit<ImageRecord, 'tags' | 'lastPulledAt'>): Promise<void> {
    await t(ex)
      .insertInto('ecr_image')
      .values({
        repository_arn: arn,
        digest: img.digest,
        manifest: img.manifest,
        media_type: img.mediaType,
        artifact_media_type: img.artifactMediaType ?? null,
        size_bytes: img.sizeInBytes ?? null,
        pushed_at: img.pushedAt,
        last_pulled_at: null,
      })
      .execute();
  },

  async deleteImage(ex: Ex, arn: string, digest: string): Promise<void> {
    await t(ex).deleteFrom('ecr_image_tag').where('repository_arn', '=', arn).where('digest', '=', digest).execute();
    await t(ex).deleteFrom('ecr_image').where('repository_arn', '=', arn).where('digest', '=', digest).execute();
  },

  /** Points `tag` at `digest`, taking it off whichever image had it; the tag becomes the image's last. */
  async setTag(ex: Ex, arn: string, tag: string, digest: string, at: number): Promise<void> {
    await t(ex).deleteFrom('ecr_image_tag').where('repository_arn', '=', arn).where('tag', '=', tag).execute();
    const last = await t(ex).selectFrom('ecr_image_tag').select((eb) => eb.fn.max('seq').as('seq')).where('repository_arn', '=', arn).executeTakeFirst();
    const seq = Number(last?.seq ?? 0) + 1;
    await t(ex).insertInto('ecr_image_tag').values({ repository_arn: arn, tag, digest, tagged_at: at, seq }).execute();
  },

  async deleteTag(ex: Ex, arn: string, tag: string): Promise<void> {
    await t(ex).deleteFrom('ecr_image_tag').where('repository_arn', '=', arn).where('tag', '=', tag).execute();
  },

  async recordPull(ex: Ex, arn: string, digests: readonly string[], at: number): Promise<void> {
    if (digests.length === 0) return;
    await t(ex).updateTable('ecr_image').set({ last_pulled_at: at }).where('repository_arn', '=', arn).where('digest', 'in', [...digests]).execute();
  },
};
