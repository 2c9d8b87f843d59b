/** ARN parsing and building. `arn:partition:service:region:account:resource`. */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly resource: string;
}

export function parseArn(arn: string): Arn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return {
    partition: parts[1]!,
    service: parts[2]!,
    region: parts[3]!,
    accountId: parts[4]!,
    resource: parts.slice(5).join(':'),
  };
}

/**
 * The account field of an ARN (`arn:partition:service:region:account:…`), found without splitting the string (the
 * authorizer asks for every request); undefined when `arn` is not an ARN or its account field is empty (S3 buckets).
 */
export function arnAccountId(arn: string): string | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  let start = 0;
  for (let n = 0; n < 4; n++) {
    start = arn.indexOf(':', start) + 1;
    if (start === 0) return undefined;
  }
  const end = arn.indexOf(':', start);
  return end <= start ? undefined : arn.slice(start, end);
}

export function formatArn(a: Arn): string {
  return `arn:${a.partition}:${a.service}:${a.region}:${a.accountId}:${a.resource}`;
}

export function iamArn(accountId: string, kind: 'user' | 'role' | 'policy' | 'group' | 'instance-profile', path: string, name: string): string {
  return `arn:aws:iam::${accountId}:${kind}${path || '/'}${name}`;
}

const IAM_ENTITY_ARN = /^arn:aws:iam::(\d{12}):(user|role)((?:\/[^/]+)*\/)([\w+=,.@-]+)$/;

/** A user or role ARN (`arn:aws:iam::<acct>:role/<path>name`) → its parts; undefined for anything else. */
export function parseIamEntityArn(arn: string): { accountId: string; kind: 'user' | 'role'; path: string; name: string } | undefined {
  const m = IAM_ENTITY_ARN.exec(arn);
  if (!m) return undefined;
  return { accountId: m[1]!, kind: m[2] as 'user' | 'role', path: m[3]!, name: m[4]! };
}
