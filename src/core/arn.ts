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

export function formatArn(a: Arn): string {
  return `arn:${a.partition}:${a.service}:${a.region}:${a.accountId}:${a.resource}`;
}

export function iamArn(accountId: string, kind: 'user' | 'role' | 'policy' | 'group' | 'instance-profile', path: string, name: string): string {
  return `arn:aws:iam::${accountId}:${kind}${path || '/'}${name}`;
}
