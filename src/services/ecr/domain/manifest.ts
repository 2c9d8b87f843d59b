/**
 * Image manifests as ECR stores them. mlzone images are descriptions: a manifest names its config and
 * layers by digest and size, but no layer bytes are uploaded or checked (so PutImage never answers
 * LayersNotFoundException, and an index's child manifests need not be in the repository). What the
 * manifest says is what DescribeImages reports: `imageSizeInBytes` is the sum of the layer sizes.
 *
 * The digest is `sha256:` of the manifest exactly as sent (the string's UTF-8 bytes), as a registry
 * computes it, so `repo@sha256:…` references made elsewhere resolve here.
 */
import { createHash } from 'node:crypto';
import { errors } from './errors.js';

export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

export type ManifestKind = 'image' | 'index' | 'schema1';

const KIND: Readonly<Record<string, ManifestKind>> = {
  [MediaTypes.dockerManifest]: 'image',
  [MediaTypes.ociManifest]: 'image',
  [MediaTypes.dockerManifestList]: 'index',
  [MediaTypes.ociIndex]: 'index',
  [MediaTypes.dockerSchema1]: 'schema1',
  [MediaTypes.dockerSchema1Signed]: 'schema1',
};

export interface Descriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size: number;
}

export interface ParsedManifest {
  readonly kind: ManifestKind;
  readonly mediaType: string;
  /** The config's media type (DescribeImages `artifactMediaType`); image manifests only. */
  readonly artifactMediaType?: string;
  /** Sum of the layer sizes; undefined for indexes and schema 1 manifests, which carry no sizes. */
  readonly sizeInBytes?: number;
  readonly layers: readonly Descriptor[];
  /** Child manifests of an index. */
  readonly manifests: readonly Descriptor[];
}

/** `sha256:<hex>` of the manifest text's UTF-8 bytes. */
export function digestOf(manifest: string): string {
  return `sha256:${createHash('sha256').update(manifest, 'utf8').digest('hex')}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descriptor(v: unknown): Descriptor | undefined {
  if (!isObject(v) || typeof v.digest !== 'string' || typeof v.size !== 'number' || !Number.isInteger(v.size) || v.size < 0) return undefined;
  if (v.mediaType !== undefined && typeof v.mediaType !== 'string') return undefined;
  return { digest: v.digest, size: v.size, ...(typeof v.mediaType === 'string' ? { mediaType: v.mediaType } : {}) };
}

function descriptors(v: unknown): Descriptor[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Descriptor[] = [];
  for (const x of v) {
    const d = descriptor(x);
    if (!d) return undefined;
    out.push(d);
  }
  return out;
}

/**
 * Checks a manifest the way PutImage does and extracts what DescribeImages reports. The media type comes
 * from the manifest's `mediaType` or else from `mediaTypeParam` (OCI manifests may omit the field); when
 * both are present they must agree. Throws InvalidParameterException.
 */
export function parseManifest(text: string, mediaTypeParam?: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw errors.invalidManifest();
  }
  if (!isObject(doc)) throw errors.invalidManifest();
  const inDoc = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  if (doc.mediaType !== undefined && inDoc === undefined) throw errors.invalidManifest();
  if (inDoc !== undefined && mediaTypeParam !== undefined && inDoc !== mediaTypeParam) throw errors.mediaTypeMismatch();
  let mediaType = inDoc ?? mediaTypeParam;
  // Schema 1 manifests predate the mediaType field.
  if (mediaType === undefined && doc.schemaVersion === 1) mediaType = doc.signatures !== undefined ? MediaTypes.dockerSchema1Signed : MediaTypes.dockerSchema1;
  // Observed: a schema 2 manifest without a media type anywhere is refused as "Invalid JSON syntax".
  if (mediaType === undefined) throw errors.invalidManifest();
  const kind = KIND[mediaType];
  if (!kind) throw errors.unsupportedMediaType(mediaType);

  switch (kind) {
    case 'image': {
      if (doc.schemaVersion !== 2) throw errors.invalidManifest();
      const config = descriptor(doc.config);
      const layers = descriptors(doc.layers);
      if (!config || !layers) throw errors.invalidManifest();
      return {
        kind,
        mediaType,
        ...(config.mediaType !== undefined ? { artifactMediaType: config.mediaType } : {}),
        sizeInBytes: layers.reduce((sum, l) => sum + l.size, 0),
        layers,
        manifests: [],
      };
    }
    case 'index': {
      if (doc.schemaVersion !== 2) throw errors.invalidManifest();
      const manifests = descriptors(doc.manifests);
      if (!manifests) throw errors.invalidManifest();
      return { kind, mediaType, layers: [], manifests };
    }
    case 'schema1': {
      if (typeof doc.name !== 'string' || !Array.isArray(doc.fsLayers)) throw errors.invalidManifest();
      return { kind, mediaType, layers: [], manifests: [] };
    }
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}
