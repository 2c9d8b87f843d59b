/**
 * S3's wire quirks on top of the generic restXml codec, applied by `serviceCodecOptions`:
 *
 * - document element names S3 uses (`ListBucketResult`, `ListAllMyBucketsResult`, …) where the model's
 *   output shape name differs (clients ignore them; humans and curl users read them);
 * - `GetBucketLocation` answers a bare `<LocationConstraint>region</LocationConstraint>` document, empty for
 *   us-east-1 (botocore reads the root element's text).
 */
import type { CodecOptions } from '../codec.js';
import { XML_DECLARATION, escapeXml } from '../xml/writer.js';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

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
