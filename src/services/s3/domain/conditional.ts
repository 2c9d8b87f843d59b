/**
 * Conditional reads (GetObject, HeadObject, CopyObject's copy-source conditions) in the order RFC 9110 §13.2.2
 * prescribes, which is also what S3 documents: If-Match, else If-Unmodified-Since → 412; If-None-Match, else
 * If-Modified-Since → 304 (reads) or 412 (copy sources).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax
 */
export interface Conditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: Date;
  readonly ifUnmodifiedSince?: Date;
}

export type ConditionOutcome = { readonly kind: 'proceed' } | { readonly kind: 'precondition-failed'; readonly condition: string } | { readonly kind: 'not-modified' };

function etagList(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'));
}

/** Whether an `If-Match`/`If-None-Match` value names the ETag (quoted or not, `*` for any). */
export function etagMatches(header: string, etag: string): boolean {
  const bare = etag.replace(/^"(.*)"$/, '$1');
  return etagList(header).some((t) => t === '*' || t === bare);
}

/** HTTP dates have one-second resolution: compare whole seconds. */
function seconds(d: Date | number): number {
  return Math.floor((typeof d === 'number' ? d : d.getTime()) / 1000);
}

export function evaluateConditions(c: Conditions, etag: string, lastModified: number): ConditionOutcome {
  if (c.ifMatch !== undefined) {
    if (!etagMatches(c.ifMatch, etag)) return { kind: 'precondition-failed', condition: 'If-Match' };
  } else if (c.ifUnmodifiedSince !== undefined && seconds(lastModified) > seconds(c.ifUnmodifiedSince)) {
    return { kind: 'precondition-failed', condition: 'If-Unmodified-Since' };
  }
  if (c.ifNoneMatch !== undefined) {
    if (etagMatches(c.ifNoneMatch, etag)) return { kind: 'not-modified' };
  } else if (c.ifModifiedSince !== undefined && seconds(lastModified) <= seconds(c.ifModifiedSince)) {
    return { kind: 'not-modified' };
  }
  return { kind: 'proceed' };
}
