/** `s3://bucket/prefix/` result locations. */
import { invalid } from './context.js';

export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

export function parseS3(uri: string): S3Location | undefined {
  const m = S3_URI.exec(uri);
  return m ? { bucket: m[1]!, prefix: m[2] ?? '' } : undefined;
}

export function checkOutputLocation(uri: string): S3Location {
  const loc = parseS3(uri);
  if (!loc) throw invalid('outputLocation is not a valid S3 path.');
  return loc;
}

/** The result file path of a query: `<location>/<id>.csv` (no console-style date folders). */
export function resultFile(location: string, id: string): string {
  return `${location.endsWith('/') ? location : `${location}/`}${id}.csv`;
}
