/**
 * The engine's DataFilesPort over mlzone's S3: the objects under a table or partition location, hidden files
 * (`_SUCCESS`, `.crc`, `_temporary/`) and folder markers left out, each with the local file DuckDB opens. For
 * `caller` access the caller's own s3:ListBucket and s3:GetObject are authorized through the internal client
 * (the bucket policy decides); for `lakeformation` the catalog has already decided and vends the access.
 */
import type { RequestContext } from '../../core/context.js';
import { failures, QueryFailure } from '../../query/errors.js';
import type { DataFilesPort } from '../../query/engine.js';
import type { AthenaInternalClient } from './context.js';
import { parseS3 } from './locations.js';

export interface ObjectFilesPort {
  objectFiles(bucket: string, prefix: string): Promise<{ key: string; size: number; localPath: string }[] | undefined>;
}

const VIA = { calledVia: ['athena.amazonaws.com'] };

function hidden(relative: string): boolean {
  return relative === '' || relative.endsWith('/') || relative.split('/').some((part) => part.startsWith('_') || part.startsWith('.'));
}

export function s3DataFiles(objects: ObjectFilesPort, internal: () => AthenaInternalClient): DataFilesPort {
  return async (ctx: RequestContext, location, access) => {
    const loc = parseS3(location);
    if (!loc) throw failures.internal(`the table location ${location} is not an S3 path`);
    const prefix = loc.prefix === '' || loc.prefix.endsWith('/') ? loc.prefix : `${loc.prefix}/`;
    if (access === 'caller') {
      // ListBucket as the caller; a refusal is Athena's S3 permission error.
      try {
        await internal().call({ service: 's3', operation: 'ListObjectsV2', input: { Bucket: loc.bucket, Prefix: prefix, MaxKeys: 1 }, principal: ctx.principal, region: ctx.region, via: VIA });
      } catch (e) {
        throw failures.s3AccessDenied(`${location} (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    const listed = await objects.objectFiles(loc.bucket, prefix);
    if (!listed) throw new QueryFailure(`HIVE_FILESYSTEM_ERROR: The specified bucket does not exist: ${loc.bucket}`, 2, 1306);
    const visible = listed.filter((o) => !hidden(o.key.slice(prefix.length)));
    if (access === 'caller') {
      for (const o of visible) {
        try {
          await internal().call({ service: 's3', operation: 'HeadObject', input: { Bucket: loc.bucket, Key: o.key }, principal: ctx.principal, region: ctx.region, via: VIA });
        } catch (e) {
          throw failures.s3AccessDenied(`s3://${loc.bucket}/${o.key} (${e instanceof Error ? e.message : String(e)})`);
        }
      }
    }
    return visible.map((o) => ({ path: o.localPath, size: o.size, uri: `s3://${loc.bucket}/${o.key}` }));
  };
}
