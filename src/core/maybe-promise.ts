/**
 * A value, or a promise of it. Lookups on the request path that answer from a cache return the value itself: a
 * promise and its `await` cost a trip through the microtask queue (and a promise hook) per call.
 */
export type MaybePromise<T> = T | Promise<T>;
