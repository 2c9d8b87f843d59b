import type { AuthzFn, AuthzRequest } from '../../core/service.js';
import type { AssumeRoleRequest } from './api.gen.js';

/**
 * What each STS operation asks IAM. `GetCallerIdentity` needs no permission (AWS allows it even under an
 * explicit deny); `GetSessionToken` and `GetAccessKeyInfo` are likewise not authorized by policies.
 */
export const stsAuthz: Record<string, AuthzFn> = {
  GetCallerIdentity: () => [],
  GetSessionToken: () => [],
  GetAccessKeyInfo: () => [],
  AssumeRole: (input: AssumeRoleRequest) => {
    const context: Record<string, string | string[]> = { 'sts:RoleSessionName': input.RoleSessionName };
    if (input.ExternalId !== undefined) context['sts:ExternalId'] = input.ExternalId;
    if (input.SourceIdentity !== undefined) context['sts:SourceIdentity'] = input.SourceIdentity;
    const tags = input.Tags ?? [];
    for (const t of tags) context[`aws:RequestTag/${t.Key}`] = t.Value;
    if (tags.length) context['aws:TagKeys'] = tags.map((t) => t.Key);
    if (input.TransitiveTagKeys?.length) context['sts:TransitiveTagKeys'] = input.TransitiveTagKeys;
    const requests: AuthzRequest[] = [{ action: 'sts:AssumeRole', resource: input.RoleArn, context }];
    if (tags.length) requests.push({ action: 'sts:TagSession', resource: input.RoleArn, context });
    if (input.SourceIdentity !== undefined) requests.push({ action: 'sts:SetSourceIdentity', resource: input.RoleArn, context });
    return requests;
  },
};
