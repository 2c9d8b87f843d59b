/** The records the ECR service keeps: plain data, no behaviour. Times are epoch milliseconds. */
import type { ExclusionFilter, ResourceTag, TagMutability } from './tags.js';

export interface RepositoryRecord {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly createdAt: number;
  readonly imageTagMutability: TagMutability;
  readonly exclusionFilters: readonly ExclusionFilter[];
  readonly scanOnPush: boolean;
  readonly encryptionType: string;
  readonly kmsKey?: string;
  /** The repository policy as set, or undefined. */
  readonly policy?: string;
}

/** An image without its manifest (listings). */
export interface ImageSummary {
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactMediaType?: string;
  readonly sizeInBytes?: number;
  readonly pushedAt: number;
  readonly lastPulledAt?: number;
  /** Tags in the order they were put on the image. */
  readonly tags: readonly string[];
}

export interface ImageRecord extends ImageSummary {
  readonly manifest: string;
}

export type { ExclusionFilter, ResourceTag, TagMutability };
