/**
 * An Iceberg table's scan plan from its metadata (Iceberg table spec, format versions 1 and 2): metadata.json →
 * the snapshot (current, or the one time travel names) → its manifest list (Avro) → manifests (Avro) → the live
 * files (status ≠ 2 DELETED) split by content: data (0), position deletes (1), equality deletes (2), each with the
 * data sequence number that decides which deletes apply to which data files. Manifest fields are read by their
 * Iceberg field ids, so v1 writers' older names (`added_data_files_count` …) read the same.
 *
 * Everything read comes through `read(uri)`, which the engine backs with the table's S3 objects as the caller; a
 * problem is an Athena-shaped `ICEBERG_*` failure naming the table and the file.
 */
import { icebergFailure, QueryFailure } from '../errors.js';
import type { AsOf } from '../time-travel.js';
import { AvroError, readAvroContainer, type AvroSchema, type AvroValue } from './avro.js';

/** Reads one object by its `s3://` URI; resolves to undefined when there is no such object. */
export type ObjectReader = (uri: string) => Promise<Uint8Array | undefined>;

export type IcebergType = string | { readonly type: 'struct'; readonly fields: readonly IcebergField[] } | { readonly type: 'list'; readonly element: IcebergType; readonly 'element-id': number } | { readonly type: 'map'; readonly key: IcebergType; readonly value: IcebergType };

export interface IcebergField {
  readonly id: number;
  readonly name: string;
  readonly type: IcebergType;
  readonly required?: boolean;
}

export interface IcebergFile {
  readonly uri: string;
  readonly content: 0 | 1 | 2;
  readonly format: string;
  readonly recordCount: number;
  readonly size: number;
  /** The data sequence number (v1 tables: 0). */
  readonly sequenceNumber: bigint;
  readonly specId: number;
  /** The partition tuple as canonical text (values in spec order); equal text means the same partition. */
  readonly partition: string;
  /** The partition tuple by partition field name, as decoded. */
  readonly partitionValues: Readonly<Record<string, AvroValue>>;
  readonly equalityIds: readonly number[];
}

export interface IcebergScan {
  readonly formatVersion: number;
  readonly fields: readonly IcebergField[];
  /** Undefined when the table has no snapshot yet (then it has no rows). */
  readonly snapshotId?: string;
  readonly dataFiles: readonly IcebergFile[];
  readonly positionDeletes: readonly IcebergFile[];
  readonly equalityDeletes: readonly IcebergFile[];
  /** Partition spec id → whether it partitions anything (equality deletes are scoped to their partition). */
  readonly partitionedSpecs: ReadonlySet<number>;
  /** Spec id → its identity partition fields: source field id → partition field name. */
  readonly identityPartitions: ReadonlyMap<number, ReadonlyMap<number, string>>;
  /**
   * Top-level field id → column names, from the table property `schema.name-mapping.default`: how to read data files
   * written without Parquet field ids (files added from a Hive table). Absent: such files map by current name.
   */
  readonly nameMapping?: ReadonlyMap<number, readonly string[]>;
}


type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * JSON.parse that keeps integers beyond 2^53 exact (as decimal strings): Iceberg snapshot ids use 63 bits and a
 * plain parse would round them. Only number tokens outside strings are touched.
 */
export function parseJsonKeepingLongs(text: string): Json {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      continue;
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      const token = text.slice(i, j);
      if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += text.slice(last, i) + `"${token}"`;
        last = j;
      }
      i = j - 1;
    }
  }
  return JSON.parse(out + text.slice(last)) as Json;
}

const isObj = (v: unknown): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
const idText = (v: unknown): string | undefined => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : typeof v === 'string' && /^-?\d+$/.test(v) ? v : undefined);

interface Snapshot {
  readonly id: string;
  readonly timestampMs: number;
  readonly manifestList?: string;
  readonly manifests?: readonly string[];
  readonly schemaId?: number;
  readonly sequenceNumber: bigint;
}

/** Reads a record field by Iceberg field id (falling back to the name the spec gives it). */
function fieldOf(schema: AvroSchema, record: AvroValue, id: number, name: string): AvroValue | undefined {
  if (!isRecord(record)) return undefined;
  const fields = recordFields(schema);
  const f = fields.find((x) => x['field-id'] === id) ?? fields.find((x) => x.name === name);
  return f ? record[f.name] : undefined;
}

function subSchema(schema: AvroSchema, id: number, name: string): AvroSchema {
  const fields = recordFields(schema);
  const f = fields.find((x) => x['field-id'] === id) ?? fields.find((x) => x.name === name);
  let t = f?.type as AvroSchema | undefined;
  if (Array.isArray(t)) t = t.find((b) => b !== 'null');
  return t ?? 'null';
}

function recordFields(schema: AvroSchema): { name: string; type: unknown; 'field-id'?: unknown }[] {
  if (typeof schema === 'object' && !Array.isArray(schema) && Array.isArray(schema.fields)) return schema.fields as { name: string; type: unknown }[];
  if (Array.isArray(schema)) for (const b of schema) if (typeof b === 'object' && !Array.isArray(b) && Array.isArray(b.fields)) return b.fields as { name: string; type: unknown }[];
  return [];
}

function isRecord(v: AvroValue | undefined): v is { [k: string]: AvroValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Map);
}

/** Text that is equal exactly when two decoded Avro values are. */
function canonical(v: AvroValue | undefined): string {
  return JSON.stringify(v ?? null, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? `0x${Buffer.from(x).toString('hex')}` : typeof x === 'number' ? `${x}n` : x));
}

const toBig = (v: AvroValue | undefined): bigint | undefined => (typeof v === 'number' || typeof v === 'bigint' ? BigInt(v) : undefined);

export class IcebergReader {
  constructor(
    /** `db.table`, for messages. */
    private readonly tableName: string,
    private readonly read: ObjectReader,
  ) {}

  private invalid(message: string): QueryFailure {
    return icebergFailure('ICEBERG_INVALID_METADATA', message);
  }

  private async avro(uri: string, what: string): Promise<{ schema: AvroSchema; records: readonly AvroValue[] }> {
    const bytes = await this.read(uri);
    if (!bytes) throw icebergFailure('ICEBERG_MISSING_METADATA', `The ${what} ${uri} of table ${this.tableName} does not exist`);
    try {
      return readAvroContainer(bytes);
    } catch (e) {
      if (e instanceof AvroError) throw this.invalid(`The ${what} ${uri} of table ${this.tableName} is not a valid Avro file: ${e.message}`);
      throw e;
    }
  }

  async plan(metadataLocation: string | undefined, asOf?: AsOf): Promise<IcebergScan> {
    if (!metadataLocation) throw this.invalid(`Table is missing [metadata_location] property: ${this.tableName}`);
    const bytes = await this.read(metadataLocation);
    if (!bytes) throw icebergFailure('ICEBERG_MISSING_METADATA', `Metadata not found in metadata location for table ${this.tableName}`);
    let meta: Json;
    try {
      meta = parseJsonKeepingLongs(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (e) {
      throw this.invalid(`Invalid metadata file for table ${this.tableName}: ${metadataLocation} is not JSON (${(e as Error).message})`);
    }
    if (!isObj(meta)) throw this.invalid(`Invalid metadata file for table ${this.tableName}: ${metadataLocation} is not a JSON object`);
    const formatVersion = meta['format-version'];
    if (formatVersion !== 1 && formatVersion !== 2) throw this.invalid(`Cannot read unsupported version ${String(formatVersion)} (table ${this.tableName}, ${metadataLocation})`);

    const schemas = new Map<number, IcebergField[]>();
    if (Array.isArray(meta.schemas)) for (const s of meta.schemas) if (isObj(s) && Array.isArray(s.fields)) schemas.set(Number(s['schema-id'] ?? 0), s.fields as unknown as IcebergField[]);
    let current: IcebergField[] | undefined = typeof meta['current-schema-id'] === 'number' ? schemas.get(meta['current-schema-id']) : undefined;
    if (!current && isObj(meta.schema) && Array.isArray(meta.schema.fields)) current = meta.schema.fields as unknown as IcebergField[];
    if (!current) throw this.invalid(`Invalid metadata file for table ${this.tableName}: no current schema in ${metadataLocation}`);

    const partitionedSpecs = new Set<number>();
    const identityPartitions = new Map<number, Map<number, string>>();
    const specs: [number, Json[]][] = [];
    if (Array.isArray(meta['partition-specs'])) for (const s of meta['partition-specs']) if (isObj(s) && Array.isArray(s.fields)) specs.push([Number(s['spec-id'] ?? 0), s.fields]);
    if (Array.isArray(meta['partition-spec']) && !specs.some(([id]) => id === 0)) specs.push([0, meta['partition-spec']]);
    for (const [id, specFields] of specs) {
      if (specFields.length > 0) partitionedSpecs.add(id);
      const identity = new Map<number, string>();
      for (const f of specFields) if (isObj(f) && f.transform === 'identity' && typeof f['source-id'] === 'number' && typeof f.name === 'string') identity.set(f['source-id'], f.name);
      identityPartitions.set(id, identity);
    }

    const snapshots: Snapshot[] = [];
    for (const s of Array.isArray(meta.snapshots) ? meta.snapshots : []) {
      const id = isObj(s) ? idText(s['snapshot-id']) : undefined;
      if (!isObj(s) || id === undefined) throw this.invalid(`Invalid metadata file for table ${this.tableName}: a snapshot without snapshot-id`);
      snapshots.push({
        id,
        timestampMs: Number(s['timestamp-ms'] ?? 0),
        ...(typeof s['manifest-list'] === 'string' ? { manifestList: s['manifest-list'] } : {}),
        ...(Array.isArray(s.manifests) ? { manifests: s.manifests.map(String) } : {}),
        ...(typeof s['schema-id'] === 'number' ? { schemaId: s['schema-id'] } : {}),
        sequenceNumber: BigInt(idText(s['sequence-number']) ?? '0'),
      });
    }

    let snapshot: Snapshot | undefined;
    let fields = current;
    if (asOf?.kind === 'VERSION') {
      snapshot = snapshots.find((s) => s.id === asOf.snapshotId);
      if (!snapshot) throw new QueryFailure(`INVALID_ARGUMENT: Iceberg snapshot ID does not exists: ${asOf.snapshotId}`, 2, 1100);
    } else if (asOf?.kind === 'TIMESTAMP') {
      // The snapshot log is the current branch's history; Trino picks its last entry at or before the instant.
      const log = Array.isArray(meta['snapshot-log']) ? meta['snapshot-log'].filter(isObj).map((e) => ({ id: idText(e['snapshot-id']), ts: Number(e['timestamp-ms']) })) : snapshots.map((s) => ({ id: s.id, ts: s.timestampMs }));
      const entry = log.filter((e) => e.ts <= asOf.epochMs).sort((a, b) => a.ts - b.ts).at(-1);
      if (!entry) throw new QueryFailure(`INVALID_ARGUMENT: No version history table ${this.tableName} at or before ${new Date(asOf.epochMs).toISOString().replace('.000Z', 'Z')}`, 2, 1100);
      snapshot = snapshots.find((s) => s.id === entry.id);
      if (!snapshot) throw this.invalid(`Invalid metadata file for table ${this.tableName}: the snapshot log names snapshot ${entry.id ?? '?'} which is not in snapshots`);
    } else {
      const currentId = idText(meta['current-snapshot-id']);
      if (currentId !== undefined && currentId !== '-1') {
        snapshot = snapshots.find((s) => s.id === currentId);
        if (!snapshot) throw this.invalid(`Invalid metadata file for table ${this.tableName}: current snapshot ${currentId} is not in snapshots`);
      }
    }
    if (asOf && snapshot?.schemaId !== undefined) fields = schemas.get(snapshot.schemaId) ?? current;

    let nameMapping: Map<number, string[]> | undefined;
    const mappingText = isObj(meta.properties) ? meta.properties['schema.name-mapping.default'] : undefined;
    if (typeof mappingText === 'string') {
      try {
        const parsed = JSON.parse(mappingText) as unknown;
        if (!Array.isArray(parsed)) throw new Error('not a list');
        nameMapping = new Map();
        for (const m of parsed as { 'field-id'?: unknown; names?: unknown }[]) {
          if (typeof m['field-id'] === 'number' && Array.isArray(m.names)) nameMapping.set(m['field-id'], m.names.map(String));
        }
      } catch (e) {
        throw this.invalid(`Invalid metadata file for table ${this.tableName}: the property schema.name-mapping.default is not a name mapping (${(e as Error).message})`);
      }
    }
    const out: IcebergScan = { formatVersion, fields, dataFiles: [], positionDeletes: [], equalityDeletes: [], partitionedSpecs, identityPartitions, ...(nameMapping ? { nameMapping } : {}) };
    if (!snapshot) return out;
    const dataFiles: IcebergFile[] = [];
    const positionDeletes: IcebergFile[] = [];
    const equalityDeletes: IcebergFile[] = [];

    const manifests: { path: string; sequenceNumber: bigint; specId: number }[] = [];
    if (snapshot.manifestList) {
      const list = await this.avro(snapshot.manifestList, 'manifest list');
      for (const m of list.records) {
        const path = fieldOf(list.schema, m, 500, 'manifest_path');
        if (typeof path !== 'string') throw this.invalid(`The manifest list ${snapshot.manifestList} of table ${this.tableName} has an entry without manifest_path`);
        manifests.push({ path, sequenceNumber: toBig(fieldOf(list.schema, m, 515, 'sequence_number')) ?? 0n, specId: Number(fieldOf(list.schema, m, 502, 'partition_spec_id') ?? 0) });
      }
    } else if (snapshot.manifests) {
      for (const path of snapshot.manifests) manifests.push({ path, sequenceNumber: 0n, specId: 0 });
    } else {
      throw this.invalid(`Invalid metadata file for table ${this.tableName}: snapshot ${snapshot.id} has no manifest-list`);
    }

    for (const m of manifests) {
      const manifest = await this.avro(m.path, 'manifest');
      const fileSchema = subSchema(manifest.schema, 2, 'data_file');
      for (const entry of manifest.records) {
        const status = fieldOf(manifest.schema, entry, 0, 'status');
        if (typeof status !== 'number') throw this.invalid(`The manifest ${m.path} of table ${this.tableName} has an entry without status`);
        if (status === 2) continue;
        const file = fieldOf(manifest.schema, entry, 2, 'data_file');
        const uri = fieldOf(fileSchema, file ?? null, 100, 'file_path');
        if (!isRecord(file) || typeof uri !== 'string') throw this.invalid(`The manifest ${m.path} of table ${this.tableName} has an entry without data_file.file_path`);
        const content = Number(fieldOf(fileSchema, file, 134, 'content') ?? 0);
        if (content !== 0 && content !== 1 && content !== 2) throw this.invalid(`The manifest ${m.path} of table ${this.tableName} has a file of unknown content ${content}`);
        // A null sequence number is inherited from the manifest (ADDED entries written before the commit knew it).
        const seq = toBig(fieldOf(manifest.schema, entry, 3, 'sequence_number')) ?? (formatVersion === 1 ? 0n : m.sequenceNumber);
        const eq = fieldOf(fileSchema, file, 135, 'equality_ids');
        const spec = fieldOf(fileSchema, file, 141, 'spec_id');
        const partition = fieldOf(fileSchema, file, 102, 'partition');
        const f: IcebergFile = {
          uri,
          content,
          format: String(fieldOf(fileSchema, file, 101, 'file_format') ?? '').toUpperCase(),
          recordCount: Number(fieldOf(fileSchema, file, 103, 'record_count') ?? 0),
          size: Number(fieldOf(fileSchema, file, 104, 'file_size_in_bytes') ?? 0),
          sequenceNumber: seq,
          specId: typeof spec === 'number' ? spec : m.specId,
          partition: canonical(isRecord(partition) ? Object.values(partition) : []),
          partitionValues: isRecord(partition) ? partition : {},
          equalityIds: Array.isArray(eq) ? eq.map(Number) : [],
        };
        if (f.format !== 'PARQUET') throw new QueryFailure(`NOT_SUPPORTED: Iceberg ${f.format || 'unknown'} files are not supported, only Parquet (table ${this.tableName}, file ${uri})`, 2, 1200);
        (content === 0 ? dataFiles : content === 1 ? positionDeletes : equalityDeletes).push(f);
      }
    }
    return { ...out, snapshotId: snapshot.id, dataFiles, positionDeletes, equalityDeletes };
  }
}
