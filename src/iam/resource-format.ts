/**
 * Write-time checks on Resource/NotResource strings, reproducing the texts AWS returns (recorded by moto against
 * IAM; reference/iam.md §6). Two outcomes: a "legacy" failure (reported as "The policy failed legacy parsing",
 * which wins over every later check) or a specific message that is reported only after the Sid, Action and
 * Resource presence checks.
 */
import { PolicyMessages } from './policy-error.js';

const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']);
const IAM_PATH_PREFIXES = [
  'user/',
  'federated-user/',
  'role/',
  'group/',
  'instance-profile/',
  'mfa/',
  'server-certificate/',
  'policy/',
  'sms-mfa/',
  'saml-provider/',
  'oidc-provider/',
  'report/',
  'access-report/',
];

/** True when AWS's legacy parser rejects the string (too few segments around `::`, empty service). */
export function failsLegacyParsing(resource: string): boolean {
  if (resource === '*') return false;
  const colons = resource.split(':').length - 1;
  if (colons < 5 && resource.includes('::')) return true;
  return resource.split(':')[2] === '';
}

/** The specific format error for a resource string, or undefined when it is acceptable. */
export function resourceFormatError(resource: string): string | undefined {
  if (resource === '*') return undefined;
  const parts = resource.split(':');
  if (parts.length < 2) return PolicyMessages.resourceFormat(resource);
  const partition = parts[1]!;
  if (!PARTITIONS.has(partition)) {
    // AWS rebuilds a six-part ARN from what it found, filling missing parts with `*`.
    const rest = parts.slice(2);
    const p1 = rest.length === 0 ? '*' : rest[0] !== '' || rest.length > 1 ? rest[0] : '*';
    const p2 = rest.length > 1 ? rest[1] : '*';
    const p3 = rest.length > 2 ? rest[2] : '*';
    const p4 = rest.length > 3 ? rest.slice(3).join(':') : '*';
    return PolicyMessages.partition(partition, `arn:${partition}:${p1}:${p2}:${p3}:${p4}`);
  }
  if (parts.length < 3) return PolicyMessages.vendorQualified;
  const service = parts[2]!;
  const region = parts[3] ?? '';
  if (service === 'iam' && region !== '') return PolicyMessages.iamRegion(resource);
  if (service === 's3' && region !== '') return PolicyMessages.s3Region(resource);
  if (service === 'iam') {
    const path = parts.slice(5).join(':');
    if (path !== '*' && !path.includes('${') && !IAM_PATH_PREFIXES.some((p) => path.startsWith(p))) return PolicyMessages.iamPath;
  }
  return undefined;
}
