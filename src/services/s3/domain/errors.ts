/**
 * S3 errors the model does not declare as shapes (it lists only a handful), with the codes, statuses and
 * messages S3 sends (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). Model-declared
 * ones come from `S3Errors` in api.gen.ts.
 */
import { AwsError } from '../../../core/errors.js';
import { S3Errors } from '../api.gen.js';

const err = (code: string, status: number, message: string, fields?: Readonly<Record<string, unknown>>) =>
  new AwsError(code, message, { status, ...(fields ? { fields } : {}) });

export const s3Errors = {
  noSuchBucket: (bucket: string) => S3Errors.NoSuchBucket('The specified bucket does not exist', { BucketName: bucket }),
  noSuchKey: (key: string) => S3Errors.NoSuchKey('The specified key does not exist.', { Key: key }),
  noSuchUpload: (uploadId: string) =>
    S3Errors.NoSuchUpload('The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId }),
  bucketAlreadyExists: (bucket: string) =>
    S3Errors.BucketAlreadyExists('The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', { BucketName: bucket }),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    S3Errors.BucketAlreadyOwnedByYou('Your previous request to create the named bucket succeeded and you already own it.', { BucketName: bucket }),
  invalidBucketName: (bucket: string) => err('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket }),
  bucketNotEmpty: (bucket: string) => err('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: bucket }),
  invalidRange: (range: string, size: number) =>
    err('InvalidRange', 416, 'The requested range is not satisfiable', { RangeRequested: range, ActualObjectSize: size }),
  preconditionFailed: (condition: string) => err('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: condition }),
  notModified: () => err('NotModified', 304, 'Not Modified'),
  entityTooSmall: (size: number) =>
    err('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: size, MinSizeAllowed: 5 * 1024 * 1024 }),
  invalidPart: (partNumber: number, etag: string | undefined) =>
    err('InvalidPart', 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", {
      PartNumber: partNumber,
      ...(etag ? { ETag: etag } : {}),
    }),
  invalidPartOrder: () => err('InvalidPartOrder', 400, 'The list of parts was not in ascending order. Parts must be ordered by part number.'),
  malformedXml: () => err('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema'),
  noSuchBucketPolicy: (bucket: string) => err('NoSuchBucketPolicy', 404, 'The bucket policy does not exist', { BucketName: bucket }),
  noSuchTagSet: (bucket: string) => err('NoSuchTagSet', 404, 'The TagSet does not exist', { BucketName: bucket }),
  noSuchPublicAccessBlock: (bucket: string) =>
    err('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found', { BucketName: bucket }),
  malformedPolicy: (message: string) => err('MalformedPolicy', 400, message),
  badDigest: () => err('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.'),
  invalidDigest: () => err('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.'),
  checksumMismatch: (algorithm: string) => err('BadDigest', 400, `The ${algorithm} you specified did not match the calculated checksum.`),
  invalidChecksum: (algorithm: string) => err('InvalidRequest', 400, `Value for x-amz-checksum-${algorithm.toLowerCase()} header is invalid.`),
  invalidArgument: (message: string, name?: string, value?: string) =>
    err('InvalidArgument', 400, message, name === undefined ? undefined : { ArgumentName: name, ArgumentValue: value ?? '' }),
  invalidRequest: (message: string) => S3Errors.InvalidRequest(message),
  invalidTag: (message: string) => err('InvalidTag', 400, message),
  keyTooLong: (size: number) => err('KeyTooLongError', 400, 'Your key is too long', { Size: size, MaxSizeAllowed: 1024 }),
  incompleteBody: () => err('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header'),
  invalidLocationConstraint: () => err('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid'),
  accessDenied: (message: string) => S3Errors.AccessDenied(message),
} as const;
