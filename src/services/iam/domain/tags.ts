/**
 * IAM tag rules: at most 50 tags per user, role or policy; keys compare without regard to case (a new
 * value for an existing key replaces it, keeping the caller's spelling); a request naming one key twice is
 * rejected.
 */
import { IamError } from '../errors.js';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export type TaggableKind = 'user' | 'role' | 'policy';

export const MAX_TAGS = 50;

const KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const QUOTA_NAME: Record<TaggableKind, string> = { user: 'TagsPerUser', role: 'TagsPerRole', policy: 'TagsPerPolicy' };

/** Model constraints (for the seeder; the codec checks API input) and duplicate keys (for everyone). */
export function checkRequestTags(tags: readonly Tag[]): void {
  if (tags.length > MAX_TAGS) {
    throw IamError.validation(`1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAGS}`);
  }
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.Key.length < 1 || t.Key.length > 128 || !KEY.test(t.Key)) {
      throw IamError.validation(`1 validation error detected: Value '${t.Key}' at 'tags.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`);
    }
    if (t.Value.length > 256 || !VALUE.test(t.Value)) {
      throw IamError.validation(`1 validation error detected: Value '${t.Value}' at 'tags.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`);
    }
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw IamError.invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
}

/** `existing` with `added` applied (replace same key case-insensitively, append new ones). */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[], kind: TaggableKind): Tag[] {
  checkRequestTags(added);
  const out = existing.map((t) => ({ Key: t.Key, Value: t.Value }));
  for (const t of added) {
    const i = out.findIndex((o) => o.Key.toLowerCase() === t.Key.toLowerCase());
    if (i >= 0) out[i] = { Key: t.Key, Value: t.Value };
    else out.push({ Key: t.Key, Value: t.Value });
  }
  if (out.length > MAX_TAGS) throw IamError.limitExceeded(`Cannot exceed quota for ${QUOTA_NAME[kind]}: ${MAX_TAGS}`);
  return out;
}

/** `existing` without the given keys (case-insensitive); unknown keys are ignored, as AWS does. */
export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !drop.has(t.Key.toLowerCase()));
}

/** Condition keys a request carrying tags fills: `aws:RequestTag/<k>` and `aws:TagKeys`. */
export function requestTagContext(tags: readonly Tag[] | undefined): Record<string, string | string[]> {
  if (!tags || tags.length === 0) return {};
  const ctx: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const t of tags) ctx[`aws:RequestTag/${t.Key}`] = t.Value;
  return ctx;
}
