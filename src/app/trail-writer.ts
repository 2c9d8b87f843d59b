/**
 * Trail log files are written to S3 by `cloudtrail.amazonaws.com`, with `aws:SourceArn` the trail and
 * `aws:SourceAccount` its account, and the `bucket-owner-full-control` canned ACL: the bucket policy decides,
 * exactly as for CloudTrail on AWS.
 */
import type { InternalClient } from '../gateway/internal-client.js';
import { servicePrincipal } from '../gateway/internal-client.js';
import { AwsError } from '../core/errors.js';
import type { TrailWriter } from '../services/cloudtrail/index.js';

/**
 * `bucketOwner` answers NoSuchBucket before authorization would: a missing bucket has no policy, and CloudTrail
 * reports it as missing rather than as a policy problem.
 */
export function createTrailWriter(internal: () => InternalClient, bucketOwner: (bucket: string) => Promise<string | undefined>): TrailWriter {
  return {
    async put({ bucket, key, body, trailArn, trailAccountId }) {
      if ((await bucketOwner(bucket)) === undefined) throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', { status: 404 });
      await internal().call({
        service: 's3',
        operation: 'PutObject',
        input: {
          Bucket: bucket,
          Key: key,
          Body: body,
          ACL: 'bucket-owner-full-control',
          // The empty `AWSLogs/<account>/` object CreateTrail writes is no log file.
          ...(key.endsWith('/') ? {} : { ContentType: 'application/json', ContentEncoding: 'gzip' }),
        },
        principal: servicePrincipal('cloudtrail.amazonaws.com'),
        via: { sourceArn: trailArn, sourceAccount: trailAccountId },
      });
    },
  };
}
