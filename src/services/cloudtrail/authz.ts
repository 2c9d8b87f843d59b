import type { AuthzFn } from '../../core/service.js';

/**
 * What each implemented CloudTrail operation asks IAM. LookupEvents has no resource type in the service
 * authorization reference, so it is authorized on `*`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html
 */
/** The trail a Name parameter names: a trail ARN as given, or a name in the caller's account and region. */
function trail(action: string): AuthzFn<{ Name: string }> {
  return (input, ctx) => [
    {
      action: `cloudtrail:${action}`,
      resource: input.Name.startsWith('arn:') ? input.Name : `arn:aws:cloudtrail:${ctx.region}:${ctx.accountId}:trail/${input.Name}`,
    },
  ];
}

export const cloudTrailAuthz: Record<string, AuthzFn<any>> = {
  LookupEvents: () => [{ action: 'cloudtrail:LookupEvents', resource: '*' }],
  CreateTrail: trail('CreateTrail'),
  UpdateTrail: trail('UpdateTrail'),
  DeleteTrail: trail('DeleteTrail'),
  GetTrail: trail('GetTrail'),
  StartLogging: trail('StartLogging'),
  StopLogging: trail('StopLogging'),
  GetTrailStatus: trail('GetTrailStatus'),
  DescribeTrails: () => [{ action: 'cloudtrail:DescribeTrails', resource: '*' }],
};
