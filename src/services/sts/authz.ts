import type { AuthzFn, AuthzRequest } from '../../core/service.js';
import type { AssumeRoleRequest } from './api.gen.js';

/**
 * What each STS operation asks IAM. `GetCallerIdentity` needs no permission (AWS allows it even under an
 * explicit deny); `GetSessionToken` likewise needs none (its API reference says so).
 */
export const stsAuthz: Record<string, AuthzFn> = {
  GetCallerIdentity: () => [],
  GetSessionToken: () => [],
  GetAccessKeyInfo: () => [{ action: 'sts:GetAccessKeyInfo', resource: '*' }],
  AssumeRole: (input: AssumeRoleRequest) => {
    // Each action gets the keys the service authorization reference lists for it.
    const tagKeys: Record<string, string | string[]> = {};
    const tags = input.Tags ?? [];
    for (const t of tags) tagKeys[`aws:RequestTag/${t.Key}`] = t.Value;
    if (tags.length) tagKeys['aws:TagKeys'] = tags.map((t) => t.Key);
    if (input.TransitiveTagKeys?.length) tagKeys['sts:TransitiveTagKeys'] = input.TransitiveTagKeys;
    const assume: Record<string, string | string[]> = { ...tagKeys, 'sts:RoleSessionName': input.RoleSessionName };
    if (input.ExternalId !== undefined) assume['sts:ExternalId'] = input.ExternalId;
    if (input.SourceIdentity !== undefined) assume['sts:SourceIdentity'] = input.SourceIdentity;
    const requests: AuthzRequest[] = [{ action: 'sts:AssumeRole', resource: input.RoleArn, context: assume }];
    if (tags.length) requests.push({ action: 'sts:TagSession', resource: input.RoleArn, context: tagKeys });
    if (input.SourceIdentity !== undefined) {
      requests.push({ action: 'sts:SetSourceIdentity', resource: input.RoleArn, context: { 'sts:SourceIdentity': input.SourceIdentity } });
    }
    return requests;
  },
};
