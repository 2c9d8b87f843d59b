/**
 * Loads protocol test vectors (botocore protocol-test style, written for mlzone): each file is a list of
 * suites `{description, metadata, shapes, operations?, cases}`; a case names its operation in `given`.
 * Values that JSON cannot carry are tagged: `{"$date": "<ISO 8601>"}`, `{"$base64": "<bytes>"}`,
 * `{"$number": "NaN" | "Infinity" | "-Infinity"}`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WireRequest } from '../../core/wire.js';
import { buildServiceModel } from '../../spec/load.js';
import type { RawOperation, RawServiceModel, RawShape, ServiceMetadata, ServiceModel } from '../../spec/model.js';

export interface VectorSuite<C> {
  readonly description: string;
  readonly metadata: Partial<ServiceMetadata> & { protocol: string };
  readonly shapes: Record<string, RawShape>;
  readonly operations?: Record<string, RawOperation>;
  readonly cases: readonly C[];
}

export interface InputCase {
  readonly name: string;
  readonly given: RawOperation;
  readonly serialized: {
    readonly method: string;
    readonly uri: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
    readonly body_base64?: string;
  };
  readonly params: Record<string, unknown>;
}

export interface OutputCase {
  readonly name: string;
  readonly given: RawOperation;
  readonly result?: Record<string, unknown>;
  readonly error?: { code: string; message: string; status?: number; fault?: 'Sender' | 'Receiver'; fields?: Record<string, unknown> };
  readonly serialized: {
    readonly status_code: number;
    readonly headers?: Record<string, string>;
    /** Header names that must be absent. */
    readonly forbid_headers?: readonly string[];
    readonly body?: string;
    readonly body_base64?: string;
  };
}

const here = dirname(fileURLToPath(import.meta.url));

export function loadVectors<C>(direction: 'input' | 'output', protocol: string): VectorSuite<C>[] {
  return JSON.parse(readFileSync(join(here, direction, `${protocol}.json`), 'utf8')) as VectorSuite<C>[];
}

/** The inline model of a suite plus the case's operation. */
export function suiteModel(suite: VectorSuite<unknown>, given: RawOperation): ServiceModel {
  const metadata = {
    apiVersion: '2014-01-01',
    endpointPrefix: 'svc',
    serviceId: 'Svc',
    ...suite.metadata,
  } as ServiceMetadata;
  const raw: RawServiceModel = { metadata, shapes: suite.shapes, operations: { ...suite.operations, [given.name]: given } };
  return buildServiceModel('vector', raw);
}

export function wireRequest(s: InputCase['serialized']): WireRequest {
  const q = s.uri.indexOf('?');
  const rawPath = q < 0 ? s.uri : s.uri.slice(0, q);
  const rawQuery = q < 0 ? '' : s.uri.slice(q + 1);
  const query: Array<[string, string]> = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? [decodeURIComponent(p), ''] : [decodeURIComponent(p.slice(0, eq)), decodeURIComponent(p.slice(eq + 1))];
    });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.headers ?? {})) headers[k.toLowerCase()] = v;
  const body = s.body_base64 !== undefined ? Buffer.from(s.body_base64, 'base64') : Buffer.from(s.body ?? '', 'utf8');
  return { method: s.method, rawPath, rawQuery, query, headers, body };
}

/** Parsed values → the tagged JSON form used in vectors. */
export function tag(v: unknown): unknown {
  if (v instanceof Date) return { $date: v.toISOString() };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (v instanceof Uint8Array) return { $base64: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(tag);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tag(x)]));
  return v;
}

/** Tagged JSON from a vector → values for a serializer. */
export function untag(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untag);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$date === 'string') return new Date(o.$date);
    if (typeof o.$base64 === 'string') return Buffer.from(o.$base64, 'base64');
    if (typeof o.$number === 'string') return Number(o.$number);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, untag(x)]));
  }
  return v;
}
