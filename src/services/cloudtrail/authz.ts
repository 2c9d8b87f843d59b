import type { AuthzFn } from '../../core/service.js';

/**
 * What each implemented CloudTrail operation asks IAM. LookupEvents has no resource type in the service
 * authorization reference, so it is authorized on `*`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html
 */
export const cloudTrailAuthz: Record<string, AuthzFn> = {
  LookupEvents: () => [{ action: 'cloudtrail:LookupEvents', resource: '*' }],
};
