import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import type {
  Member,
  ModelCache,
  OperationModel,
  Paginator,
  RawServiceModel,
  ServiceMetadata,
  RawShapeRef,
  ServiceModel,
  Shape,
  StructureShape,
} from './model.js';
import { errorCode } from './model.js';

/** Loads service models by name, once each, from a `specs/` directory. */
export interface ModelRegistry {
  /** The model of `specs/<serviceName>/service-2.json`; throws when there is none. */
  get(serviceName: string): ServiceModel;
  /** Only the model's `metadata` (routing needs no more), without building the shape graph. */
  metadata(serviceName: string): ServiceMetadata;
  has(serviceName: string): boolean;
  readonly specsDir: string;
}

/** The `specs/` directory of the package (found from `src/`, `dist/` and the bundle alike). */
export function defaultSpecsDir(): string {
  return join(packageRoot(import.meta.url), 'specs');
}

export function createModelRegistry(specsDir: string = defaultSpecsDir()): ModelRegistry {
  const loaded = new Map<string, ServiceModel>();
  const file = (name: string, f: string) => join(specsDir, name, f);
  const metadataOf = new Map<string, ServiceMetadata>();
  return {
    specsDir,
    metadata(name) {
      const known = loaded.get(name)?.metadata ?? metadataOf.get(name);
      if (known) return known;
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`invalid service name ${JSON.stringify(name)}`);
      const text = readFileSync(file(name, 'service-2.json'), 'utf8');
      // The metadata object comes first and is flat (lists of strings at most); parsing just it keeps start-up
      // from building every service's shape graph. Anything unexpected falls back to the full parse.
      const m = /^\s*\{\s*"version"\s*:\s*"[^"]*"\s*,\s*"metadata"\s*:\s*(\{[^{}]*\})/.exec(text) ?? /"metadata"\s*:\s*(\{[^{}]*\})/.exec(text.slice(0, 4096));
      const md = m ? (JSON.parse(m[1]!) as ServiceMetadata) : (JSON.parse(text) as RawServiceModel).metadata;
      metadataOf.set(name, md);
      return md;
    },
    has: (name) => loaded.has(name) || (/^[a-z0-9-]+$/.test(name) && existsSync(file(name, 'service-2.json'))),
    get(name) {
      let model = loaded.get(name);
      if (model) return model;
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`invalid service name ${JSON.stringify(name)}`);
      const raw = JSON.parse(readFileSync(file(name, 'service-2.json'), 'utf8')) as RawServiceModel;
      const pagFile = file(name, 'paginators-1.json');
      const pag = existsSync(pagFile)
        ? ((JSON.parse(readFileSync(pagFile, 'utf8')) as { pagination?: Record<string, Paginator> }).pagination ?? {})
        : {};
      model = buildServiceModel(name, raw, pag);
      loaded.set(name, model);
      return model;
    },
  };
}

function createCache(): ModelCache {
  const memo = new WeakMap<object, Map<string, unknown>>();
  return {
    get<T>(owner: object, key: string, make: () => T): T {
      let m = memo.get(owner);
      if (!m) memo.set(owner, (m = new Map()));
      if (m.has(key)) return m.get(key) as T;
      const v = make();
      m.set(key, v);
      return v;
    },
  };
}

/** Resolves a raw model (names) into a graph of shape objects. Exported for tests with inline models. */
export function buildServiceModel(
  name: string,
  raw: RawServiceModel,
  paginators: Readonly<Record<string, Paginator>> = {},
): ServiceModel {
  const shapes: Record<string, Shape> = {};
  // Pass 1: one object per shape, so that references (including cycles) can point at it.
  for (const [shapeName, rs] of Object.entries(raw.shapes)) {
    const { members: _m, member: _l, key: _k, value: _v, ...traits } = rs;
    const base: Record<string, unknown> = { ...traits, name: shapeName };
    if (rs.type === 'structure') {
      base.members = {};
      base.memberNames = Object.keys(rs.members ?? {});
      base.requiredSet = new Set(rs.required ?? []);
    }
    shapes[shapeName] = base as unknown as Shape;
  }
  const ref = (r: RawShapeRef, memberName: string): Member => {
    const target = shapes[r.shape];
    if (!target) throw new Error(`${name}: unknown shape ${r.shape}`);
    const { shape: _s, resultWrapper: _w, ...traits } = r;
    return { ...traits, name: memberName, shape: target };
  };
  // Pass 2: resolve references.
  for (const [shapeName, rs] of Object.entries(raw.shapes)) {
    const s = shapes[shapeName] as unknown as Record<string, unknown>;
    if (rs.type === 'structure') {
      const members = s.members as Record<string, Member>;
      for (const [mn, mr] of Object.entries(rs.members ?? {})) members[mn] = ref(mr, mn);
    } else if (rs.type === 'list') {
      if (!rs.member) throw new Error(`${name}: list ${shapeName} has no member`);
      s.member = ref(rs.member, 'member');
    } else if (rs.type === 'map') {
      if (!rs.key || !rs.value) throw new Error(`${name}: map ${shapeName} has no key/value`);
      s.key = ref(rs.key, 'key');
      s.value = ref(rs.value, 'value');
    }
  }
  const structure = (r: RawShapeRef | undefined, where: string): StructureShape | undefined => {
    if (!r) return undefined;
    const s = shapes[r.shape];
    if (!s || s.type !== 'structure') throw new Error(`${name}: ${where} ${r.shape} is not a structure`);
    return s;
  };
  const operations: Record<string, OperationModel> = {};
  for (const [opName, ro] of Object.entries(raw.operations)) {
    operations[opName] = {
      name: ro.name ?? opName,
      http: ro.http,
      input: structure(ro.input, `${opName} input`),
      output: structure(ro.output, `${opName} output`),
      resultWrapper: ro.output?.resultWrapper,
      errors: (ro.errors ?? []).map((e) => structure(e, `${opName} error`) as StructureShape),
      idempotent: ro.idempotent === true,
      deprecated: ro.deprecated === true,
      ...(ro.authtype !== undefined ? { authtype: ro.authtype } : {}),
      ...(ro.requestcompression ? { requestCompression: ro.requestcompression.encodings } : {}),
    };
  }
  const errorsByCode = new Map<string, StructureShape>();
  for (const s of Object.values(shapes)) {
    if (s.type === 'structure' && (s.exception || s.error)) errorsByCode.set(errorCode(s), s);
  }
  return {
    name,
    metadata: raw.metadata,
    operations,
    shapes,
    errorsByCode,
    paginators,
    cache: createCache(),
  };
}
