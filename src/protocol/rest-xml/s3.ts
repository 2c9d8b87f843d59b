/**
 * S3's wire quirks on top of the generic restXml codec, applied by `serviceCodecOptions`:
 *
 * - document element names S3 uses (`ListBucketResult`, `ListAllMyBucketsResult`, …) where the model's
 *   output shape name differs (clients ignore them; humans and curl users read them);
 * - a ranged GetObject / HeadObject answers 206;
 * - `GetBucketLocation` answers a bare `<LocationConstraint>region</LocationConstraint>` document, empty for
 *   us-east-1 (botocore reads the root element's text).
 */
import type { CodecOptions } from '../codec.js';
import { XML_DECLARATION, escapeXml } from '../xml/writer.js';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const partial: NonNullable<CodecOptions['overrides']>[string] = (output, _requestId, next) => {
  const r = next(output);
  return (output as { ContentRange?: string } | undefined)?.ContentRange ? { ...r, status: 206 } : r;
};

export const s3CodecOptions: CodecOptions = {
  xmlRootNames: {
    ListObjects: 'ListBucketResult',
    ListObjectsV2: 'ListBucketResult',
    ListBuckets: 'ListAllMyBucketsResult',
    ListMultipartUploads: 'ListMultipartUploadsResult',
    ListParts: 'ListPartsResult',
    CreateMultipartUpload: 'InitiateMultipartUploadResult',
    CompleteMultipartUpload: 'CompleteMultipartUploadResult',
    DeleteObjects: 'DeleteResult',
    GetObjectTagging: 'Tagging',
    GetBucketTagging: 'Tagging',
  },
  overrides: {
    // A ranged read answers 206 Partial Content (the model has no status member for it).
    GetObject: partial,
    HeadObject: partial,
    GetBucketLocation(output, requestId, next) {
      const r = next({});
      const lc = (output as { LocationConstraint?: string } | undefined)?.LocationConstraint;
      const body = lc
        ? `${XML_DECLARATION}<LocationConstraint xmlns="${S3_NS}">${escapeXml(lc)}</LocationConstraint>`
        : `${XML_DECLARATION}<LocationConstraint xmlns="${S3_NS}"/>`;
      return { ...r, headers: { ...r.headers, 'content-type': 'application/xml' }, body };
    },
  },
};
