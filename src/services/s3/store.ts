/**
 * S3 metadata in the database. An object becomes visible by the single transaction that writes its row
 * (naming the blobs that hold its bytes); the blobs it replaced are returned so the caller frees them after
 * the commit. Bucket rows are cached (every request looks its bucket up twice: owner for IAM, then the handler).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../persistence/db.js';
import { startsWith } from '../../persistence/portable-sql.js';
import type { BucketRecord, ObjectRecord, PartRecord, PublicAccessBlock, Segment, UploadRecord } from './records.js';

interface Tables {
  s3_buckets: {
    name: string;
    account_id: string;
    region: string;
    created_at: number;
    policy: string | null;
    tags_json: string | null;
    public_access_block_json: string | null;
  };
  s3_objects: {
    bucket: string;
    key: string;
    size: number;
    etag: string;
    last_modified: number;
    segments_json: string;
    headers_json: string;
    metadata_json: string;
    tags_json: string;
    checksum_json: string | null;
    parts_count: number | null;
    storage_class: string;
  };
  s3_uploads: {
    upload_id: string;
    bucket: string;
    key: string;
    initiated: number;
    initiator_arn: string;
    initiator_id: string;
    owner_account_id: string;
    spec_json: string;
  };
  s3_parts: {
    upload_id: string;
    part_number: number;
    blob_id: string;
    size: number;
    etag: string;
    checksum: string | null;
    last_modified: number;
  };
}

type Row<T extends keyof Tables> = Tables[T];

function bucketOf(r: Row<'s3_buckets'>): BucketRecord {
  return {
    name: r.name,
    accountId: r.account_id,
    region: r.region,
    createdAt: Number(r.created_at),
    ...(r.policy === null ? {} : { policy: r.policy }),
    ...(r.tags_json === null ? {} : { tags: JSON.parse(r.tags_json) as Record<string, string> }),
    ...(r.public_access_block_json === null ? {} : { publicAccessBlock: JSON.parse(r.public_access_block_json) as PublicAccessBlock }),
  };
}

function bucketRow(b: BucketRecord): Row<'s3_buckets'> {
  return {
    name: b.name,
    account_id: b.accountId,
    region: b.region,
    created_at: b.createdAt,
    policy: b.policy ?? null,
    tags_json: b.tags ? JSON.stringify(b.tags) : null,
    public_access_block_json: b.publicAccessBlock ? JSON.stringify(b.publicAccessBlock) : null,
  };
}

function objectOf(r: Row<'s3_objects'>): ObjectRecord {
  return {
    bucket: r.bucket,
    key: r.key,
    size: Number(r.size),
    etag: r.etag,
    lastModified: Number(r.last_modified),
    segments: JSON.parse(r.segments_json) as Segment[],
    headers: JSON.parse(r.headers_json) as ObjectRecord['headers'],
    metadata: JSON.parse(r.metadata_json) as Record<string, string>,
    tags: JSON.parse(r.tags_json) as Record<string, string>,
    ...(r.checksum_json === null ? {} : { checksum: JSON.parse(r.checksum_json) as ObjectRecord['checksum'] }),
    ...(r.parts_count === null ? {} : { partsCount: Number(r.parts_count) }),
    storageClass: r.storage_class,
  };
}

function objectRow(o: ObjectRecord): Row<'s3_objects'> {
  return {
    bucket: o.bucket,
    key: o.key,
    size: o.size,
    etag: o.etag,
    last_modified: o.lastModified,
    segments_json: JSON.stringify(o.segments),
    headers_json: JSON.stringify(o.headers),
    metadata_json: JSON.stringify(o.metadata),
    tags_json: JSON.stringify(o.tags),
    checksum_json: o.checksum ? JSON.stringify(o.checksum) : null,
    parts_count: o.partsCount ?? null,
    storage_class: o.storageClass,
  };
}

function uploadOf(r: Row<'s3_uploads'>): UploadRecord {
  return {
    uploadId: r.upload_id,
    bucket: r.bucket,
    key: r.key,
    initiated: Number(r.initiated),
    initiatorArn: r.initiator_arn,
    initiatorId: r.initiator_id,
    ownerAccountId: r.owner_account_id,
    spec: JSON.parse(r.spec_json) as UploadRecord['spec'],
  };
}

function partOf(r: Row<'s3_parts'>): PartRecord {
  return {
    uploadId: r.upload_id,
    partNumber: Number(r.part_number),
    blob: r.blob_id,
    size: Number(r.size),
    etag: r.etag,
    ...(r.checksum === null ? {} : { checksum: r.checksum }),
    lastModified: Number(r.last_modified),
  };
}

/** What a write replaced: blobs nobody references any more once the transaction committed. */
export interface Replaced {
  readonly freed: readonly string[];
}

export type S3Store = ReturnType<typeof createS3Store>;

export function createS3Store(db: Database) {
  const k = (trx?: Kysely<any>) => (trx ?? db.kysely) as unknown as Kysely<Tables>;
  const buckets = new Map<string, BucketRecord | null>();
  const BUCKET_CACHE_LIMIT = 10_000;

  async function bucket(name: string): Promise<BucketRecord | undefined> {
    const hit = buckets.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const row = await k().selectFrom('s3_buckets').selectAll().where('name', '=', name).executeTakeFirst();
    const rec = row ? bucketOf(row) : undefined;
    if (buckets.size >= BUCKET_CACHE_LIMIT) buckets.clear();
    // Misses are not cached: a bucket created by another replica must become visible.
    if (rec) buckets.set(name, rec);
    return rec;
  }

  return {
    bucket,
    invalidate: () => buckets.clear(),

    async bucketsOf(accountId: string): Promise<BucketRecord[]> {
      const rows = await k().selectFrom('s3_buckets').selectAll().where('account_id', '=', accountId).orderBy('name').execute();
      return rows.map(bucketOf);
    },

    async insertBucket(b: BucketRecord, trx?: Kysely<any>): Promise<void> {
      await k(trx).insertInto('s3_buckets').values(bucketRow(b)).execute();
      buckets.delete(b.name);
    },

    /** Several new buckets in one statement (the blueprint loader). */
    async insertBuckets(bs: readonly BucketRecord[], trx: Kysely<any>): Promise<void> {
      if (bs.length === 0) return;
      await k(trx).insertInto('s3_buckets').values(bs.map(bucketRow)).execute();
      for (const b of bs) buckets.delete(b.name);
    },

    /**
     * Deletes a bucket that holds no objects, with its unfinished multipart uploads (their part blobs are
     * returned to free); undefined when objects remain.
     */
    async deleteBucket(name: string): Promise<Replaced | undefined> {
      const r = await db.transaction(async (trx) => {
        const obj = await k(trx).selectFrom('s3_objects').select('key').where('bucket', '=', name).limit(1).executeTakeFirst();
        if (obj) return undefined;
        const uploads = k(trx).selectFrom('s3_uploads').select('upload_id').where('bucket', '=', name);
        const parts = await k(trx).selectFrom('s3_parts').select('blob_id').where('upload_id', 'in', uploads).execute();
        await k(trx).deleteFrom('s3_parts').where('upload_id', 'in', uploads).execute();
        await k(trx).deleteFrom('s3_uploads').where('bucket', '=', name).execute();
        await k(trx).deleteFrom('s3_buckets').where('name', '=', name).execute();
        return { freed: parts.map((p) => p.blob_id) };
      });
      buckets.delete(name);
      return r;
    },

    async updateBucket(name: string, patch: { policy?: string | null; tags?: Record<string, string> | null; publicAccessBlock?: PublicAccessBlock | null }): Promise<void> {
      const set: Partial<Row<'s3_buckets'>> = {};
      if (patch.policy !== undefined) set.policy = patch.policy;
      if (patch.tags !== undefined) set.tags_json = patch.tags === null ? null : JSON.stringify(patch.tags);
      if (patch.publicAccessBlock !== undefined) set.public_access_block_json = patch.publicAccessBlock === null ? null : JSON.stringify(patch.publicAccessBlock);
      await k().updateTable('s3_buckets').set(set).where('name', '=', name).execute();
      buckets.delete(name);
    },

    async object(bucketName: string, key: string): Promise<ObjectRecord | undefined> {
      const row = await k().selectFrom('s3_objects').selectAll().where('bucket', '=', bucketName).where('key', '=', key).executeTakeFirst();
      return row ? objectOf(row) : undefined;
    },

    /**
     * Makes `o` the object at its key. `check` runs inside the transaction with the current object (conditional
     * writes); it throws to refuse. Returns the blobs of the replaced object.
     */
    async putObject(o: ObjectRecord, check?: (current: ObjectRecord | undefined) => void): Promise<Replaced> {
      return db.transaction(async (trx) => {
        const old = await k(trx).selectFrom('s3_objects').selectAll().where('bucket', '=', o.bucket).where('key', '=', o.key).executeTakeFirst();
        const current = old ? objectOf(old) : undefined;
        check?.(current);
        const row = objectRow(o);
        await k(trx)
          .insertInto('s3_objects')
          .values(row)
          .onConflict((oc) => oc.columns(['bucket', 'key']).doUpdateSet(row))
          .execute();
        return { freed: current ? current.segments.map((s) => s.blob) : [] };
      });
    },

    async deleteObject(bucketName: string, key: string): Promise<Replaced> {
      return db.transaction(async (trx) => {
        const old = await k(trx).selectFrom('s3_objects').select('segments_json').where('bucket', '=', bucketName).where('key', '=', key).executeTakeFirst();
        if (!old) return { freed: [] };
        await k(trx).deleteFrom('s3_objects').where('bucket', '=', bucketName).where('key', '=', key).execute();
        return { freed: (JSON.parse(old.segments_json) as Segment[]).map((s) => s.blob) };
      });
    },

    async setObjectTags(bucketName: string, key: string, tags: Record<string, string>): Promise<boolean> {
      const r = await k().updateTable('s3_objects').set({ tags_json: JSON.stringify(tags) }).where('bucket', '=', bucketName).where('key', '=', key).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Objects with `prefix` whose key is ≥ `from`, in key order. */
    async listObjects(bucketName: string, from: string, prefix: string, limit: number): Promise<ObjectRecord[]> {
      let q = k().selectFrom('s3_objects').selectAll().where('bucket', '=', bucketName);
      const lower = from > prefix ? from : prefix;
      if (lower !== '') q = q.where('key', '>=', lower);
      if (prefix !== '') q = q.where(startsWith('key', prefix));
      const rows = await q.orderBy('key').limit(limit).execute();
      return rows.map(objectOf);
    },

    async createUpload(u: UploadRecord): Promise<void> {
      await k()
        .insertInto('s3_uploads')
        .values({
          upload_id: u.uploadId,
          bucket: u.bucket,
          key: u.key,
          initiated: u.initiated,
          initiator_arn: u.initiatorArn,
          initiator_id: u.initiatorId,
          owner_account_id: u.ownerAccountId,
          spec_json: JSON.stringify(u.spec),
        })
        .execute();
    },

    async upload(uploadId: string): Promise<UploadRecord | undefined> {
      const row = await k().selectFrom('s3_uploads').selectAll().where('upload_id', '=', uploadId).executeTakeFirst();
      return row ? uploadOf(row) : undefined;
    },

    /** Records a part (replacing an earlier one with the same number); false when the upload is gone. */
    async putPart(p: PartRecord): Promise<Replaced | undefined> {
      return db.transaction(async (trx) => {
        const up = await k(trx).selectFrom('s3_uploads').select('upload_id').where('upload_id', '=', p.uploadId).executeTakeFirst();
        if (!up) return undefined;
        const old = await k(trx).selectFrom('s3_parts').select('blob_id').where('upload_id', '=', p.uploadId).where('part_number', '=', p.partNumber).executeTakeFirst();
        const row: Row<'s3_parts'> = {
          upload_id: p.uploadId,
          part_number: p.partNumber,
          blob_id: p.blob,
          size: p.size,
          etag: p.etag,
          checksum: p.checksum ?? null,
          last_modified: p.lastModified,
        };
        await k(trx)
          .insertInto('s3_parts')
          .values(row)
          .onConflict((oc) => oc.columns(['upload_id', 'part_number']).doUpdateSet(row))
          .execute();
        return { freed: old ? [old.blob_id] : [] };
      });
    },

    async parts(uploadId: string, afterPart = 0, limit = 10_000): Promise<PartRecord[]> {
      const rows = await k()
        .selectFrom('s3_parts')
        .selectAll()
        .where('upload_id', '=', uploadId)
        .where('part_number', '>', afterPart)
        .orderBy('part_number')
        .limit(limit)
        .execute();
      return rows.map(partOf);
    },

    /**
     * Completes an upload in one transaction: `build` gets the parts (read inside it) and returns the object
     * to write (or throws); upload and part rows go. Frees the replaced object's blobs and unused parts'.
     */
    async completeUpload(uploadId: string, build: (parts: PartRecord[]) => ObjectRecord): Promise<{ object: ObjectRecord; freed: string[] } | undefined> {
      return db.transaction(async (trx) => {
        const up = await k(trx).selectFrom('s3_uploads').select('upload_id').where('upload_id', '=', uploadId).executeTakeFirst();
        if (!up) return undefined;
        const parts = (await k(trx).selectFrom('s3_parts').selectAll().where('upload_id', '=', uploadId).orderBy('part_number').execute()).map(partOf);
        const o = build(parts);
        const used = new Set(o.segments.map((s) => s.blob));
        const old = await k(trx).selectFrom('s3_objects').select('segments_json').where('bucket', '=', o.bucket).where('key', '=', o.key).executeTakeFirst();
        const row = objectRow(o);
        await k(trx)
          .insertInto('s3_objects')
          .values(row)
          .onConflict((oc) => oc.columns(['bucket', 'key']).doUpdateSet(row))
          .execute();
        await k(trx).deleteFrom('s3_parts').where('upload_id', '=', uploadId).execute();
        await k(trx).deleteFrom('s3_uploads').where('upload_id', '=', uploadId).execute();
        const freed = [
          ...parts.filter((p) => !used.has(p.blob)).map((p) => p.blob),
          ...(old ? (JSON.parse(old.segments_json) as Segment[]).map((s) => s.blob).filter((b) => !used.has(b)) : []),
        ];
        return { object: o, freed };
      });
    },

    /** Aborts an upload; undefined when it does not exist. */
    async abortUpload(uploadId: string): Promise<Replaced | undefined> {
      return db.transaction(async (trx) => {
        const up = await k(trx).selectFrom('s3_uploads').select('upload_id').where('upload_id', '=', uploadId).executeTakeFirst();
        if (!up) return undefined;
        const parts = await k(trx).selectFrom('s3_parts').select('blob_id').where('upload_id', '=', uploadId).execute();
        await k(trx).deleteFrom('s3_parts').where('upload_id', '=', uploadId).execute();
        await k(trx).deleteFrom('s3_uploads').where('upload_id', '=', uploadId).execute();
        return { freed: parts.map((p) => p.blob_id) };
      });
    },

    /** Uploads of a bucket with `prefix`, ordered by key then upload id, starting after the markers. */
    async listUploads(bucketName: string, prefix: string, keyMarker: string, uploadIdMarker: string, limit: number): Promise<UploadRecord[]> {
      let q = k().selectFrom('s3_uploads').selectAll().where('bucket', '=', bucketName);
      if (prefix !== '') q = q.where(startsWith('key', prefix));
      if (keyMarker !== '') {
        q = uploadIdMarker !== ''
          ? q.where((eb) => eb.or([eb('key', '>', keyMarker), eb.and([eb('key', '=', keyMarker), eb('upload_id', '>', uploadIdMarker)])]))
          : q.where('key', '>', keyMarker);
      }
      const rows = await q.orderBy('key').orderBy('upload_id').limit(limit).execute();
      return rows.map(uploadOf);
    },

    /** Every blob id an object or a part references (for the orphan sweep at start). */
    async referencedBlobs(): Promise<Set<string>> {
      const out = new Set<string>();
      for (const r of await k().selectFrom('s3_objects').select('segments_json').execute()) {
        for (const s of JSON.parse(r.segments_json) as Segment[]) out.add(s.blob);
      }
      for (const r of await k().selectFrom('s3_parts').select('blob_id').execute()) out.add(r.blob_id);
      return out;
    },
  };
}
