/** Blob storage: the port and its filesystem implementation (see `blob-store.ts` for the contract). */
export { BlobNotFoundError, type BlobStore, type ByteRange, type StoredBlob } from './blob-store.js';
export { createEphemeralBlobStore, createFsBlobStore, type FsBlobStoreOptions } from './fs-blob-store.js';
