/** How much of a request body mlzone takes, shared by admission (before reading) and the pipeline (after). */
const MiB = 1024 * 1024;
/** Buffered bodies of signed requests (ECR layer parts are the largest non-S3 payloads). */
export const MAX_BUFFERED_BODY = 64 * MiB;
/** Bodies of requests without credentials: a SAML assertion (100,000 characters encoded) or an anonymous S3 XML body fit. */
export const MAX_UNAUTHENTICATED_BODY = 2 * MiB;
/** S3's largest single upload (PutObject, UploadPart): 5 GiB. */
export const MAX_STREAMED_BODY = 5 * 1024 * MiB;
