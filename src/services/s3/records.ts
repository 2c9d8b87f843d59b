/** The S3 service's records as its store reads and writes them (domain types, camelCase). */

export interface PublicAccessBlock {
  readonly BlockPublicAcls?: boolean;
  readonly IgnorePublicAcls?: boolean;
  readonly BlockPublicPolicy?: boolean;
  readonly RestrictPublicBuckets?: boolean;
}

export interface BucketRecord {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly createdAt: number;
  readonly policy?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly publicAccessBlock?: PublicAccessBlock;
}

/** A run of an object's bytes held by one blob (one for a simple PUT, one per part after a multipart upload). */
export interface Segment {
  readonly blob: string;
  readonly size: number;
}

/** The content headers S3 stores with an object and returns on GET/HEAD (AWS member names). */
export interface ContentHeaders {
  readonly ContentType?: string;
  readonly ContentEncoding?: string;
  readonly ContentDisposition?: string;
  readonly ContentLanguage?: string;
  readonly CacheControl?: string;
  /** As sent (an HTTP date). */
  readonly Expires?: string;
  readonly WebsiteRedirectLocation?: string;
}

export interface ObjectChecksum {
  readonly algorithm: 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';
  /** Base64; `…-N` for a COMPOSITE multipart checksum. */
  readonly value: string;
  readonly type: 'FULL_OBJECT' | 'COMPOSITE';
}

export interface ObjectRecord {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Quoted, as S3 sends it. */
  readonly etag: string;
  readonly lastModified: number;
  readonly segments: readonly Segment[];
  readonly headers: ContentHeaders;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly checksum?: ObjectChecksum;
  readonly partsCount?: number;
  readonly storageClass: string;
}

export interface UploadSpec {
  readonly headers: ContentHeaders;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly storageClass: string;
  readonly checksumAlgorithm?: ObjectChecksum['algorithm'];
  readonly checksumType?: ObjectChecksum['type'];
}

export interface UploadRecord {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly initiated: number;
  readonly initiatorArn: string;
  readonly initiatorId: string;
  readonly ownerAccountId: string;
  readonly spec: UploadSpec;
}

export interface PartRecord {
  readonly uploadId: string;
  readonly partNumber: number;
  readonly blob: string;
  readonly size: number;
  readonly etag: string;
  readonly checksum?: string;
  readonly lastModified: number;
}
