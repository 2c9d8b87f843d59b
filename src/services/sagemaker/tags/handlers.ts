/**
 * AddTags, ListTags and DeleteTags on any SageMaker resource mlzone keeps. A tag set holds at most 50 tags; keys
 * starting with `aws:` are reserved.
 */
import type { Kysely } from 'kysely';
import { keysetPage } from '../../../core/pagination.js';
import type { AreaContext, SageMakerHandlers } from '../context.js';
import { canonicalArn } from '../domain/arns.js';
import { errors } from '../domain/errors.js';
import { store } from '../store.js';

const MAX_TAGS = 50;

/** A request's tags as stored (a missing value is empty), refusing the reserved `aws:` keys. */
export function requestedTags(tags: ReadonlyArray<{ Key: string; Value?: string }> | undefined): Array<{ Key: string; Value: string }> {
  const out = (tags ?? []).map((x) => ({ Key: x.Key, Value: x.Value ?? '' }));
  checkTagKeys(out.map((x) => x.Key));
  return out;
}

export function checkTagKeys(keys: readonly string[]): void {
  for (const k of keys) {
    if (k.toLowerCase().startsWith('aws:')) throw errors.validation(`Tag keys prefixed with 'aws:' are reserved for AWS system usage: ${k}`);
  }
}

export function tagHandlers(ctx: AreaContext): SageMakerHandlers {
  const existing = async (arn: string, ex: Kysely<any> = ctx.db.kysely) => {
    const canonical = canonicalArn(arn);
    const found = canonical ? await store.get(ex, canonical) : undefined;
    if (!found) throw errors.validation(`Resource ${arn} does not exist.`);
    return found.arn;
  };
  return {
    AddTags: async (i) => {
      checkTagKeys(i.Tags.map((x) => x.Key));
      const tags = i.Tags.map((x) => ({ Key: x.Key, Value: x.Value ?? '' }));
      await ctx.db.transaction(async (trx) => {
        const arn = await existing(i.ResourceArn, trx);
        const before = await store.tags(trx, arn);
        const keys = new Set([...before.map((x) => x.Key), ...tags.map((x) => x.Key)]);
        if (keys.size > MAX_TAGS) throw errors.limitExceeded(`You can't add more than ${MAX_TAGS} tags to a resource.`);
        await store.putTags(trx, arn, tags);
      });
      return { Tags: tags };
    },
    ListTags: async (i) => {
      const arn = await existing(i.ResourceArn);
      const all = await store.tags(ctx.db.kysely, arn);
      const indexed = all.map((tag, n) => ({ tag, key: String(n).padStart(4, '0') }));
      const page = keysetPage(indexed, (x) => x.key, `ListTags/${arn}`, i.MaxResults ?? 50, i.NextToken, errors.invalidToken);
      return { Tags: page.items.map((x) => x.tag), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    DeleteTags: async (i) => {
      const arn = await existing(i.ResourceArn);
      await store.deleteTags(ctx.db.kysely, arn, i.TagKeys);
      return {};
    },
  };
}
