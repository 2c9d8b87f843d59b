/**
 * Writes real Iceberg tables for tests (nothing else here can: no Spark, no pyiceberg). Follows the Iceberg table
 * spec: metadata.json (format v1 or v2), manifest lists and manifests as Avro object container files whose schemas
 * carry the spec's field ids, Parquet data and position-delete files written by DuckDB with Parquet field ids.
 * Snapshot ids use all 63 bits, as Java writers' do. Objects go through `put`, so a test can write to a local
 * directory or upload through S3. Not imported by production code.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeAvroContainer, type AvroSchema, type AvroValue } from './avro.js';
import type { IcebergField } from './table.js';

export type PutObject = (key: string, bytes: Uint8Array) => Promise<void>;

export interface FixtureFile {
  readonly uri: string;
  readonly content: 0 | 1 | 2;
  readonly recordCount: number;
  readonly size: number;
  readonly equalityIds?: readonly number[];
  /** Identity partition values by partition field name. */
  readonly partition?: Readonly<Record<string, AvroValue>>;
}

/** An identity partition field of the table's spec. */
export interface FixturePartitionField {
  readonly name: string;
  readonly sourceId: number;
  readonly fieldId: number;
  readonly type: 'string' | 'long' | 'int' | { readonly type: 'int'; readonly logicalType: 'date' } | { readonly type: 'bytes'; readonly logicalType: 'decimal'; readonly precision: number; readonly scale: number };
}

interface Entry {
  status: 0 | 1 | 2;
  snapshotId: bigint;
  sequenceNumber: bigint;
  file: FixtureFile;
}

interface ManifestRef {
  path: string;
  length: number;
  content: 0 | 1;
  sequenceNumber: bigint;
  snapshotId: bigint;
  entries: Entry[];
}

const opt = (type: AvroSchema, id: number, name: string) => ({ name, type: ['null', type], default: null, 'field-id': id });
const req = (type: AvroSchema, id: number, name: string) => ({ name, type, 'field-id': id });

function dataFileSchema(v: 1 | 2, spec: readonly FixturePartitionField[]): AvroSchema {
  return {
    type: 'record',
    name: 'r2',
    fields: [
      ...(v === 2 ? [req('int', 134, 'content')] : []),
      req('string', 100, 'file_path'),
      req('string', 101, 'file_format'),
      req({ type: 'record', name: 'r102', fields: spec.map((p) => opt(p.type as AvroSchema, p.fieldId, p.name)) }, 102, 'partition'),
      req('long', 103, 'record_count'),
      req('long', 104, 'file_size_in_bytes'),
      ...(v === 1 ? [req('long', 105, 'block_size_in_bytes')] : []),
      opt({ type: 'map', values: 'long', 'key-id': 117, 'value-id': 118 } as AvroSchema, 108, 'column_sizes'),
      ...(v === 2 ? [opt({ type: 'array', items: 'int', 'element-id': 136 } as AvroSchema, 135, 'equality_ids')] : []),
    ],
  };
}

function entrySchema(v: 1 | 2, spec: readonly FixturePartitionField[]): AvroSchema {
  return {
    type: 'record',
    name: 'manifest_entry',
    fields:
      v === 2
        ? [req('int', 0, 'status'), opt('long', 1, 'snapshot_id'), opt('long', 3, 'sequence_number'), opt('long', 4, 'file_sequence_number'), req(dataFileSchema(2, spec), 2, 'data_file')]
        : [req('int', 0, 'status'), req('long', 1, 'snapshot_id'), req(dataFileSchema(1, spec), 2, 'data_file')],
  };
}

/** v1 uses the older names Java's v1 writer gives fields 504–506 (readers must go by field id). */
function manifestFileSchema(v: 1 | 2): AvroSchema {
  return {
    type: 'record',
    name: 'manifest_file',
    fields:
      v === 2
        ? [
            req('string', 500, 'manifest_path'),
            req('long', 501, 'manifest_length'),
            req('int', 502, 'partition_spec_id'),
            req('int', 517, 'content'),
            req('long', 515, 'sequence_number'),
            req('long', 516, 'min_sequence_number'),
            req('long', 503, 'added_snapshot_id'),
            req('int', 504, 'added_files_count'),
            req('int', 505, 'existing_files_count'),
            req('int', 506, 'deleted_files_count'),
            req('long', 512, 'added_rows_count'),
            req('long', 513, 'existing_rows_count'),
            req('long', 514, 'deleted_rows_count'),
          ]
        : [
            req('string', 500, 'manifest_path'),
            req('long', 501, 'manifest_length'),
            req('int', 502, 'partition_spec_id'),
            req('long', 503, 'added_snapshot_id'),
            opt('int', 504, 'added_data_files_count'),
            opt('int', 505, 'existing_data_files_count'),
            opt('int', 506, 'deleted_data_files_count'),
          ],
  };
}

/** JSON with bigint values written as bare integers. */
function stringifyWithLongs(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `__long${marks.push(v.toString()) - 1}__` : v), 2);
  return text.replace(/"__long(\d+)__"/g, (_m, i: string) => marks[Number(i)]!);
}

export interface SnapshotInfo {
  readonly id: bigint;
  readonly timestampMs: number;
  readonly metadataUri: string;
}

export class IcebergFixture {
  private schemas: { id: number; fields: IcebergField[] }[];
  private snapshots: { id: bigint; parent?: bigint; timestampMs: number; sequenceNumber: bigint; manifestList: string; schemaId: number }[] = [];
  private manifests: ManifestRef[] = [];
  private sequence = 0n;
  private version = 0;
  private nextSnapshot = 3051729675574597004n;
  readonly uuid = randomUUID();
  /** Table properties written to metadata.json (e.g. `schema.name-mapping.default`). */
  properties: Record<string, string> = { 'write.format.default': 'parquet' };

  /**
   * `location` is `s3://bucket/prefix` (no trailing slash); `put` stores an object by key within the bucket.
   */
  constructor(
    readonly location: string,
    private readonly put: PutObject,
    fields: IcebergField[],
    readonly formatVersion: 1 | 2 = 2,
    private readonly spec: readonly FixturePartitionField[] = [],
  ) {
    this.schemas = [{ id: 0, fields }];
  }

  private get bucket(): string {
    return /^s3:\/\/([^/]+)/.exec(this.location)![1]!;
  }

  private keyOf(uri: string): string {
    return uri.slice(`s3://${this.bucket}/`.length);
  }

  private async putUri(uri: string, bytes: Uint8Array): Promise<number> {
    await this.put(this.keyOf(uri), bytes);
    return bytes.length;
  }

  /** A later schema (renames keep the field id; added columns take new ids). */
  evolveSchema(fields: IcebergField[]): void {
    this.schemas.push({ id: this.schemas.length, fields });
  }

  get currentSchemaId(): number {
    return this.schemas[this.schemas.length - 1]!.id;
  }

  /** A Parquet file from `select` with the given Parquet field ids (column name → id), under data/. */
  async parquet(select: string, fieldIds: Readonly<Record<string, number>>, content: 0 | 1 = 0, partition?: Readonly<Record<string, AvroValue>>): Promise<FixtureFile> {
    const dir = await mkdtemp(join(tmpdir(), 'mlzone-iceberg-fixture-'));
    try {
      const local = join(dir, 'f.parquet');
      const inst = await DuckDBInstance.create(':memory:');
      const c = await inst.connect();
      const ids = Object.entries(fieldIds)
        .map(([k, v]) => `"${k}": ${v}`)
        .join(', ');
      // No ids at all: a file as a Hive table (or an old writer) leaves it, for tables that add such files.
      await c.run(`COPY (${select}) TO '${local}' (FORMAT parquet${ids ? `, FIELD_IDS {${ids}}` : ''})`);
      const count = Number((await c.runAndReadAll(`SELECT count(*) FROM (${select})`)).getRows()[0]![0]);
      c.closeSync();
      inst.closeSync();
      const bytes = await readFile(local);
      const uri = `${this.location}/data/${content === 0 ? '' : 'delete-'}${randomUUID()}.parquet`;
      const size = await this.putUri(uri, bytes);
      return { uri, content, recordCount: count, size, ...(partition ? { partition } : {}) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** A position-delete file: (data file URI, 0-based row position) pairs, with the spec's reserved field ids. */
  positionDeletes(rows: readonly (readonly [string, number])[]): Promise<FixtureFile> {
    const values = rows.map(([p, pos]) => `('${p.replaceAll("'", "''")}', ${pos}::BIGINT)`).join(', ');
    return this.parquet(`SELECT * FROM (VALUES ${values}) AS t(file_path, pos)`, { file_path: 2147483546, pos: 2147483545 }, 1);
  }

  /** An equality-delete file over the given field ids (column names as in `select`). */
  async equalityDeletes(select: string, fieldIds: Readonly<Record<string, number>>, partition?: Readonly<Record<string, AvroValue>>): Promise<FixtureFile> {
    const f = await this.parquet(select, fieldIds, 1, partition);
    return { ...f, content: 2, equalityIds: Object.values(fieldIds) };
  }

  private async writeManifest(content: 0 | 1, entries: Entry[], snapshotId: bigint): Promise<ManifestRef> {
    const v = this.formatVersion;
    const records: AvroValue[] = entries.map((e) => ({
      status: e.status,
      snapshot_id: e.snapshotId,
      ...(v === 2 ? { sequence_number: e.sequenceNumber, file_sequence_number: e.sequenceNumber } : {}),
      data_file: {
        ...(v === 2 ? { content: e.file.content } : {}),
        file_path: e.file.uri,
        file_format: 'PARQUET',
        partition: Object.fromEntries(this.spec.map((p) => [p.name, e.file.partition?.[p.name] ?? null])),
        record_count: e.file.recordCount,
        file_size_in_bytes: e.file.size,
        ...(v === 1 ? { block_size_in_bytes: 67108864 } : {}),
        column_sizes: new Map<string, AvroValue>(),
        ...(v === 2 ? { equality_ids: e.file.equalityIds ? [...e.file.equalityIds] : null } : {}),
      },
    }));
    const schema = this.schemas[this.schemas.length - 1]!;
    const bytes = writeAvroContainer(entrySchema(v, this.spec), records, {
      metadata: { schema: JSON.stringify({ type: 'struct', 'schema-id': schema.id, fields: schema.fields }), 'partition-spec': JSON.stringify(this.specFields()), 'partition-spec-id': '0', 'format-version': String(v), content: content === 0 ? 'data' : 'deletes' },
    });
    const path = `${this.location}/metadata/${randomUUID()}-m0.avro`;
    await this.putUri(path, bytes);
    return { path, length: bytes.length, content, sequenceNumber: this.sequence, snapshotId, entries };
  }

  /**
   * One commit: adds `add` (data and delete files), marks the data files in `remove` DELETED, writes the manifests,
   * the manifest list and a new metadata.json. Returns the snapshot and the new metadata location.
   */
  async commit(change: { add?: readonly FixtureFile[]; remove?: readonly string[]; timestampMs?: number; operation?: string }): Promise<SnapshotInfo> {
    const id = this.nextSnapshot;
    this.nextSnapshot += 1_000_000_007n;
    this.sequence += 1n;
    const timestampMs = change.timestampMs ?? Date.now();
    const kept: ManifestRef[] = [];
    for (const m of this.manifests) {
      const live = m.entries.filter((e) => e.status !== 2);
      if (live.length === 0) continue;
      if (!live.some((e) => change.remove?.includes(e.file.uri))) {
        kept.push(m);
        continue;
      }
      const entries = live.map((e): Entry => (change.remove?.includes(e.file.uri) ? { ...e, status: 2, snapshotId: id } : { ...e, status: 0 }));
      kept.push(await this.writeManifest(m.content, entries, id));
    }
    const add = change.add ?? [];
    for (const content of [0, 1] as const) {
      const files = add.filter((f) => (content === 0 ? f.content === 0 : f.content !== 0));
      if (files.length > 0) kept.push(await this.writeManifest(content, files.map((file) => ({ status: 1, snapshotId: id, sequenceNumber: this.sequence, file })), id));
    }
    this.manifests = kept;
    const v = this.formatVersion;
    const records: AvroValue[] = kept.map((m) => ({
      manifest_path: m.path,
      manifest_length: m.length,
      partition_spec_id: 0,
      added_snapshot_id: m.snapshotId,
      ...(v === 2
        ? {
            content: m.content,
            sequence_number: m.sequenceNumber,
            min_sequence_number: m.entries.reduce((a, e) => (e.sequenceNumber < a ? e.sequenceNumber : a), m.sequenceNumber),
            added_files_count: m.entries.filter((e) => e.status === 1).length,
            existing_files_count: m.entries.filter((e) => e.status === 0).length,
            deleted_files_count: m.entries.filter((e) => e.status === 2).length,
            added_rows_count: 0,
            existing_rows_count: 0,
            deleted_rows_count: 0,
          }
        : { added_data_files_count: m.entries.filter((e) => e.status === 1).length, existing_data_files_count: null, deleted_data_files_count: null }),
    }));
    const listUri = `${this.location}/metadata/snap-${id}-1-${randomUUID()}.avro`;
    await this.putUri(listUri, writeAvroContainer(manifestFileSchema(v), records, { metadata: { 'snapshot-id': id.toString(), 'format-version': String(v) } }));
    const parent = this.snapshots.at(-1)?.id;
    this.snapshots.push({ id, ...(parent !== undefined ? { parent } : {}), timestampMs, sequenceNumber: this.sequence, manifestList: listUri, schemaId: this.currentSchemaId });
    const metadataUri = await this.writeMetadata();
    return { id, timestampMs, metadataUri };
  }

  private specFields() {
    return this.spec.map((p) => ({ name: p.name, transform: 'identity', 'source-id': p.sourceId, 'field-id': p.fieldId }));
  }

  /** Writes `metadata/NNNNN-<uuid>.metadata.json` for the current state and returns its URI. */
  async writeMetadata(): Promise<string> {
    this.version += 1;
    const current = this.schemas[this.schemas.length - 1]!;
    const lastColumnId = Math.max(0, ...this.schemas.flatMap((s) => s.fields.map((f) => f.id)));
    const snapshots = this.snapshots.map((s) => ({
      'snapshot-id': s.id,
      ...(s.parent !== undefined ? { 'parent-snapshot-id': s.parent } : {}),
      'timestamp-ms': s.timestampMs,
      ...(this.formatVersion === 2 ? { 'sequence-number': s.sequenceNumber } : {}),
      summary: { operation: 'append' },
      'manifest-list': s.manifestList,
      'schema-id': s.schemaId,
    }));
    const currentSnapshot = this.snapshots.at(-1)?.id ?? -1n;
    const common = {
      'table-uuid': this.uuid,
      location: this.location,
      'last-updated-ms': this.snapshots.at(-1)?.timestampMs ?? Date.now(),
      'last-column-id': lastColumnId,
      properties: this.properties,
      'current-snapshot-id': currentSnapshot,
      snapshots,
      'snapshot-log': this.snapshots.map((s) => ({ 'snapshot-id': s.id, 'timestamp-ms': s.timestampMs })),
      'metadata-log': [],
    };
    const meta =
      this.formatVersion === 2
        ? {
            'format-version': 2,
            ...common,
            'last-sequence-number': this.sequence,
            'current-schema-id': current.id,
            schemas: this.schemas.map((s) => ({ type: 'struct', 'schema-id': s.id, fields: s.fields })),
            'default-spec-id': 0,
            'partition-specs': [{ 'spec-id': 0, fields: this.specFields() }],
            'last-partition-id': Math.max(999, ...this.spec.map((p) => p.fieldId)),
            'default-sort-order-id': 0,
            'sort-orders': [{ 'order-id': 0, fields: [] }],
          }
        : {
            'format-version': 1,
            ...common,
            schema: { type: 'struct', fields: current.fields },
            'current-schema-id': current.id,
            schemas: this.schemas.map((s) => ({ type: 'struct', 'schema-id': s.id, fields: s.fields })),
            'partition-spec': this.specFields(),
          };
    const uri = `${this.location}/metadata/${String(this.version).padStart(5, '0')}-${randomUUID()}.metadata.json`;
    await this.putUri(uri, Buffer.from(stringifyWithLongs(meta)));
    return uri;
  }
}
