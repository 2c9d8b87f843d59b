import type { RequestContext } from '../../core/context.js';
import { AwsError } from '../../core/errors.js';
import { ids } from '../../core/ids.js';
import { parseIamEntityArn } from '../../core/arn.js';
import type { Handlers } from '../../core/service.js';
import type { StsOperations } from './api.gen.js';
import { assumeRoleDuration, sessionTokenDuration } from './domain/durations.js';
import { assumedRolePrincipal, packedPolicySize, sessionTokenPrincipal } from './domain/session-principal.js';
import { accountOfSessionKey, sessionAccessKeyId } from './domain/session-key-id.js';
import type { SessionSealer } from './domain/session-token.js';
import type { StsDeps } from './index.js';

function notAuthorized(ctx: RequestContext, action: string, resource: string): AwsError {
  return new AwsError('AccessDenied', `User: ${ctx.principal.arn} is not authorized to perform: ${action} on resource: ${resource}`, { status: 403 });
}

export function stsHandlers(deps: StsDeps, sealer: SessionSealer): Handlers<StsOperations> {
  return {
    GetCallerIdentity: (_input, ctx) => ({
      UserId: ctx.principal.userId,
      Account: ctx.principal.accountId,
      Arn: ctx.principal.arn,
    }),

    GetAccessKeyInfo: async (input) => {
      const key = input.AccessKeyId;
      const owner = (await deps.iam.findAccessKey(key))?.accountId ?? accountOfSessionKey(key);
      if (!owner) throw new AwsError('InvalidParameterValue', 'The access key ID is not valid.');
      return { Account: owner };
    },

    AssumeRole: async (input, ctx) => {
      const target = parseIamEntityArn(input.RoleArn);
      const role = target?.kind === 'role' ? await deps.iam.getRole(target.accountId, target.name) : undefined;
      // AWS answers AccessDenied, not NoSuchEntity, so that callers cannot probe for role names.
      if (!role || role.arn !== input.RoleArn) throw notAuthorized(ctx, 'sts:AssumeRole', input.RoleArn);
      const chained = ctx.principal.type === 'AssumedRole';
      const seconds = assumeRoleDuration(input.DurationSeconds, role.maxSessionDuration, chained);

      let sessionPolicy: string | undefined;
      if (input.Policy !== undefined) {
        const problem = deps.validateSessionPolicy(input.Policy);
        if (problem) throw new AwsError('MalformedPolicyDocument', problem);
        sessionPolicy = input.Policy;
      }
      const policyArns = (input.PolicyArns ?? []).map((p) => p.arn ?? '').filter(Boolean);
      for (const p of policyArns) {
        if (!(await deps.iam.managedPolicyDocument(p))) {
          throw new AwsError('InvalidParameterValue', `The policy ${p} does not exist or is not attachable.`);
        }
      }
      const tags = (input.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
      const packed = packedPolicySize(sessionPolicy, tags);
      if (packed > 100) {
        throw new AwsError('PackedPolicyTooLarge', `Packed policy consumes ${packed}% of allotted space, please use smaller policy.`);
      }

      const issuedAt = ctx.now;
      const expiresAt = issuedAt + seconds * 1000;
      const accessKeyId = sessionAccessKeyId(role.accountId);
      const principal = assumedRolePrincipal(
        ctx.principal,
        { accountId: role.accountId, roleName: role.roleName, roleId: role.roleId, arn: role.arn },
        {
          roleSessionName: input.RoleSessionName,
          sessionPolicy,
          sessionPolicyArns: policyArns,
          tags,
          transitiveTagKeys: input.TransitiveTagKeys ?? [],
          sourceIdentity: input.SourceIdentity,
          issuedAt,
          expiresAt,
        },
        accessKeyId,
      );
      const secretAccessKey = ids.secretAccessKey();
      const sessionToken = sealer.seal(principal, secretAccessKey);
      return {
        Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: new Date(expiresAt) },
        AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: principal.arn },
        PackedPolicySize: sessionPolicy || tags.length ? packed : undefined,
        SourceIdentity: principal.sourceIdentity,
      };
    },

    GetSessionToken: async (input, ctx) => {
      const p = ctx.principal;
      if (p.type === 'AssumedRole' || p.sessionIssuedAt !== undefined) {
        throw new AwsError('AccessDenied', 'Cannot call GetSessionToken with session credentials', { status: 403 });
      }
      if (p.type !== 'IAMUser' && p.type !== 'Root') throw notAuthorized(ctx, 'sts:GetSessionToken', p.arn);
      const seconds = sessionTokenDuration(input.DurationSeconds, p.type === 'Root');
      const issuedAt = ctx.now;
      const expiresAt = issuedAt + seconds * 1000;
      const accessKeyId = sessionAccessKeyId(p.accountId);
      const principal = sessionTokenPrincipal(p, accessKeyId, issuedAt, expiresAt);
      const secretAccessKey = ids.secretAccessKey();
      const sessionToken = sealer.seal(principal, secretAccessKey);
      return { Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: new Date(expiresAt) } };
    },
  };
}
