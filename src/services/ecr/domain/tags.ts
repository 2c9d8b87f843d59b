/**
 * Tag rules: which tags a repository lets a push move (tag mutability with its exclusion filters), what a
 * PutImage does to the repository's tags, and the limits on resource tags.
 *
 * `MUTABLE`: a push may move any tag to a new image. `IMMUTABLE`: no tag may be moved.
 * `IMMUTABLE_WITH_EXCLUSION`: immutable except tags matching a filter; `MUTABLE_WITH_EXCLUSION`: mutable except
 * tags matching a filter. A filter is a wildcard (`*` matches any run of characters) on the whole tag.
 */
import { errors } from './errors.js';

export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';

export interface ExclusionFilter {
  readonly filterType: string;
  readonly filter: string;
}

const WITH_EXCLUSION = new Set<string>(['IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION']);

/** Checks that exclusion filters are given exactly when the mutability takes them. */
export function checkMutability(mutability: string, filters: readonly ExclusionFilter[] | undefined): void {
  const has = filters !== undefined && filters.length > 0;
  if (WITH_EXCLUSION.has(mutability) && !has) throw errors.exclusionFiltersRequired(mutability);
  if (!WITH_EXCLUSION.has(mutability) && has) throw errors.exclusionFiltersNotAllowed(mutability);
}

export function wildcardMatches(filter: string, tag: string): boolean {
  const re = new RegExp(`^${filter.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
  return re.test(tag);
}

/** True when a push may not move `tag` off the image that has it. */
export function isTagImmutable(mutability: TagMutability, filters: readonly ExclusionFilter[], tag: string): boolean {
  const excluded = () => filters.some((f) => f.filterType === 'WILDCARD' && wildcardMatches(f.filter, tag));
  switch (mutability) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded();
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded();
    default: {
      const unreachable: never = mutability;
      return unreachable;
    }
  }
}

/** What PutImage finds in the repository for the pushed digest and tag. */
export interface PutState {
  readonly digest: string;
  readonly tag?: string;
  readonly imageExists: boolean;
  /** The digest the tag currently points to, if the tag exists. */
  readonly tagOwner?: string;
  readonly tagImmutable: boolean;
}

export type PutPlan =
  | { readonly kind: 'already-exists' }
  | { readonly kind: 'tag-immutable' }
  /** Store the image unless it exists, and point the tag (if any) at it, taking it off `previousOwner`. */
  | { readonly kind: 'write'; readonly createImage: boolean; readonly tag?: string; readonly previousOwner?: string };

/**
 * Decides a PutImage: re-pushing a manifest under a tag it already has (or untagged, when the image is
 * there) is ImageAlreadyExists; moving an immutable tag is ImageTagAlreadyExists; otherwise the image is
 * stored (once) and the tag moves to it. An image that loses its last tag stays, untagged, as in ECR.
 */
export function planPut(s: PutState): PutPlan {
  if (s.tag === undefined) return s.imageExists ? { kind: 'already-exists' } : { kind: 'write', createImage: true };
  if (s.tagOwner === s.digest) return { kind: 'already-exists' };
  if (s.tagOwner !== undefined && s.tagImmutable) return { kind: 'tag-immutable' };
  return { kind: 'write', createImage: !s.imageExists, tag: s.tag, ...(s.tagOwner !== undefined ? { previousOwner: s.tagOwner } : {}) };
}

export const MAX_RESOURCE_TAGS = 50;

export interface ResourceTag {
  readonly key: string;
  readonly value: string;
}

/** Checks tag keys (1–128) and values (0–256) and merges `added` into `current` (same key: new value wins). */
export function mergeTags(current: readonly ResourceTag[], added: readonly ResourceTag[]): ResourceTag[] {
  for (const t of added) {
    if (t.key.length < 1 || t.key.length > 128 || t.value.length > 256 || t.key.toLowerCase().startsWith('aws:')) throw errors.invalidTag();
  }
  const merged = new Map(current.map((t) => [t.key, t.value]));
  for (const t of added) merged.set(t.key, t.value);
  if (merged.size > MAX_RESOURCE_TAGS) throw errors.tooManyTags();
  return [...merged].map(([key, value]) => ({ key, value })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
