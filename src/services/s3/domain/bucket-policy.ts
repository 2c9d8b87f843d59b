/**
 * S3's own checks of a bucket policy on top of the IAM grammar (which the app's validator applies), and
 * whether a policy is "public" in the sense of Block Public Access
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
 */
export const MAX_POLICY_BYTES = 20 * 1024;

type Json = Record<string, unknown>;

function asArray(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function statements(doc: Json): Json[] {
  return asArray(doc.Statement).filter((s): s is Json => typeof s === 'object' && s !== null);
}

/** A MalformedPolicy message for what S3 adds to IAM's rules, or undefined. */
export function s3PolicyProblem(document: string, bucket: string): string | undefined {
  if (Buffer.byteLength(document) > MAX_POLICY_BYTES) return 'Policies must be less than 20KB';
  let doc: Json;
  try {
    doc = JSON.parse(document) as Json;
  } catch {
    return 'Policies must be valid JSON and the first byte must be \'{\'';
  }
  for (const st of statements(doc)) {
    if (st.Principal === undefined && st.NotPrincipal === undefined) return 'Missing required field Principal';
    for (const r of asArray(st.Resource ?? st.NotResource)) {
      if (typeof r !== 'string') return 'Policy has invalid resource';
      if (r === '*') continue;
      const target = r.startsWith('arn:aws:s3:::') ? r.slice('arn:aws:s3:::'.length) : undefined;
      const name = target?.split('/')[0];
      if (name === undefined || !globMatches(name, bucket)) return 'Policy has invalid resource';
    }
    for (const a of asArray(st.Action ?? st.NotAction)) {
      if (typeof a === 'string' && a !== '*' && !a.toLowerCase().startsWith('s3:')) return 'Policy has invalid action';
    }
  }
  return undefined;
}

function globMatches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(value);
}

/**
 * Condition keys whose fixed values make a `Principal: "*"` statement non-public (the documented list,
 * without the IP/VPC subtleties: any value counts).
 */
const RESTRICTING_KEYS = new Set(
  [
    'aws:SourceArn',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceAccount',
    'aws:SourceOwner',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:userid',
    'aws:SourceIp',
    's3:DataAccessPointArn',
    's3:DataAccessPointAccount',
  ].map((k) => k.toLowerCase()),
);

function grantsEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return asArray((principal as Json).AWS).includes('*') || asArray((principal as Json).CanonicalUser).includes('*');
}

function restricted(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null) return false;
  for (const [op, block] of Object.entries(condition as Json)) {
    if (/^(StringNot|ArnNot|NotIp)/i.test(op) || /IfExists$/i.test(op)) continue;
    if (typeof block !== 'object' || block === null) continue;
    for (const [key, values] of Object.entries(block as Json)) {
      if (!RESTRICTING_KEYS.has(key.toLowerCase())) continue;
      if (asArray(values).some((v) => typeof v === 'string' && v.includes('*'))) continue;
      return true;
    }
  }
  return false;
}

/** Whether one statement is a public grant: Allow to everyone without a restricting condition. */
export function isPublicStatement(st: Readonly<Record<string, unknown>>): boolean {
  return st.Effect === 'Allow' && grantsEveryone(st.Principal) && !restricted(st.Condition);
}

export function isPublicPolicy(document: string): boolean {
  try {
    return statements(JSON.parse(document) as Json).some(isPublicStatement);
  } catch {
    return false;
  }
}

/** The policy without its public grants (RestrictPublicBuckets): the same text when it has none, undefined when nothing is left. */
export function withoutPublicGrants(document: string): string | undefined {
  let doc: Json;
  try {
    doc = JSON.parse(document) as Json;
  } catch {
    return document;
  }
  const all = statements(doc);
  const kept = all.filter((st) => !isPublicStatement(st));
  if (kept.length === all.length) return document;
  if (kept.length === 0) return undefined;
  return JSON.stringify({ ...doc, Statement: kept });
}
