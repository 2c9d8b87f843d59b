/**
 * New IAM entity rows as CreateUser, CreateRole and CreateAccessKey write them: one place for the ids, ARNs and
 * defaults, used by the API operations and by the blueprint's seed batch alike.
 */
import { ids } from '../../core/ids.js';
import { roleArn, userArn } from './domain/arns.js';
import { iamTimestamp, nameKey } from './domain/names.js';
import type { AccessKeyRow, RoleRow, UserRow } from './store.js';

export function newUserRow(accountId: string, now: number, input: { userName: string; path?: string; permissionsBoundaryArn?: string }): UserRow {
  const path = input.path ?? '/';
  return {
    user_id: ids.iamId('AIDA'),
    account_id: accountId,
    user_name: input.userName,
    name_key: nameKey(input.userName),
    path,
    arn: userArn(accountId, path, input.userName),
    create_date: iamTimestamp(now),
    permissions_boundary_arn: input.permissionsBoundaryArn ?? null,
  };
}

export function newRoleRow(
  accountId: string,
  now: number,
  input: { roleName: string; trustPolicy: string; path?: string; description?: string; maxSessionDuration?: number; permissionsBoundaryArn?: string },
): RoleRow {
  const path = input.path ?? '/';
  return {
    role_id: ids.iamId('AROA'),
    account_id: accountId,
    role_name: input.roleName,
    name_key: nameKey(input.roleName),
    path,
    arn: roleArn(accountId, path, input.roleName),
    assume_role_policy_document: input.trustPolicy,
    description: input.description ?? null,
    max_session_duration: input.maxSessionDuration ?? 3600,
    permissions_boundary_arn: input.permissionsBoundaryArn ?? null,
    create_date: iamTimestamp(now),
    last_used_date: null,
    last_used_region: null,
  };
}

export function newAccessKeyRow(accountId: string, userId: string, now: number, key: { accessKeyId: string; secretAccessKey: string }): AccessKeyRow {
  return {
    access_key_id: key.accessKeyId,
    account_id: accountId,
    user_id: userId,
    secret_access_key: key.secretAccessKey,
    status: 'Active',
    create_date: iamTimestamp(now),
    last_used_date: null,
    last_used_service: null,
    last_used_region: null,
  };
}
