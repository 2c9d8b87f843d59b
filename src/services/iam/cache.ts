/**
 * In-memory read cache of one IAM service instance (never module-level). Every write invalidates it
 * before it starts and after it ends; a read that raced a write does not store its result (generation
 * check), so a cached value is never older than the last completed write of this process.
 */
const MAX_ENTRIES_PER_BUCKET = 10_000;

export class ReadCache {
  private generation = 0;
  /** bucket → key → the frozen value, and the settled promise of it once `get` was asked for one. */
  private readonly buckets = new Map<string, Map<string, { readonly value: unknown; promise?: Promise<unknown> }>>();

  /** Bumped by every invalidation: a value derived from cached reads is current while this is unchanged. */
  version(): number {
    return this.generation;
  }

  invalidate(): void {
    this.generation++;
    this.buckets.clear();
  }

  /** Not `async` on purpose: a hit returns the same settled promise every time, without allocating (hot path). */
  get<T>(bucket: string, key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.buckets.get(bucket)?.get(key);
    if (hit !== undefined) return (hit.promise ??= Promise.resolve(hit.value)) as Promise<T>;
    return this.miss(bucket, key, load);
  }

  /** Like `get`, but a hit is the value itself (see `MaybePromise`). */
  read<T>(bucket: string, key: string, load: () => Promise<T>): T | Promise<T> {
    const hit = this.buckets.get(bucket)?.get(key);
    if (hit !== undefined) return hit.value as T;
    return this.miss(bucket, key, load);
  }

  private async miss<T>(bucket: string, key: string, load: () => Promise<T>): Promise<T> {
    const g = this.generation;
    const value = deepFreeze(await load());
    if (g === this.generation) {
      let target = this.buckets.get(bucket);
      if (target === undefined) this.buckets.set(bucket, (target = new Map()));
      if (target.size >= MAX_ENTRIES_PER_BUCKET) target.clear();
      target.set(key, { value });
    }
    return value;
  }
}

/** Cached values are shared between callers: freeze them so nobody can alter another caller's view. */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}
