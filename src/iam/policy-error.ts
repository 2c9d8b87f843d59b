/**
 * A policy document AWS would refuse. `message` is AWS's `MalformedPolicyDocument` text, word for word where
 * it is known (see reference/iam.md §6); the writer (IAM, S3, Organizations…) wraps it in its own error code.
 */
export class PolicyError {
  readonly code = 'MalformedPolicyDocument';
  constructor(readonly message: string) {}
}

/** AWS's recorded texts, kept in one place so tests and writers agree. */
export const PolicyMessages = {
  syntax: 'Syntax errors in policy.',
  invalidJsonTrust: 'This policy contains invalid Json',
  version: 'Policy document must be version 2012-10-17 or greater.',
  legacy: 'The policy failed legacy parsing',
  duplicateSid: 'Statement IDs (SID) in a single policy must be unique.',
  noActions: 'Policy statement must contain actions.',
  noResources: 'Policy statement must contain resources.',
  noPrincipalAllowed: 'Policy document should not specify a principal.',
  missingPrincipal: 'Missing required field Principal',
  prohibitedResource: 'Has prohibited field Resource',
  vendorMissing: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  oneColon: 'Actions/Condition can contain only one colon.',
  vendorInvalid: (vendor: string) => `Vendor ${vendor} is not valid`,
  resourceFormat: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  partition: (partition: string, rebuilt: string) => `Partition "${partition}" is not valid for resource "${rebuilt}".`,
  vendorQualified: 'Resource vendor must be fully qualified and cannot contain regexes.',
  iamRegion: (resource: string) => `IAM resource ${resource} cannot contain region information.`,
  s3Region: (resource: string) => `Resource ${resource} can not contain region information.`,
  iamPath:
    'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.',
  invalidPrincipal: (type: string, value: string) => `Invalid principal in policy: "${type}":"${value}"`,
  // AWS's texts for customer-RCP violations and for a bad Service principal are unrecorded; these are ours [?].
  rcpEffect: 'Resource control policies may only contain Deny statements.',
  rcpPrincipal: 'Resource control policies must use "Principal": "*".',
  rcpNotAllowed: (field: string) => `Resource control policies do not support ${field}.`,
  rcpBareStar: 'Resource control policies may not use "*" as the only Action.',
} as const;
