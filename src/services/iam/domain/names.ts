/**
 * Model constraints on names, paths and numbers, for writers that bypass the protocol layer (the
 * blueprint seeder). The API path gets the same checks, with the same wording, from the codec.
 */
import { IamError } from '../errors.js';

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
const POLICY_PATH = /^((\/[A-Za-z0-9.,+@=_-]+)*)\/$/;

function fail(value: string | number, member: string, constraint: string): never {
  throw IamError.validation(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

export function checkName(value: string, member: string, max: number): void {
  if (value.length < 1) fail(value, member, 'Member must have length greater than or equal to 1');
  if (value.length > max) fail(value, member, `Member must have length less than or equal to ${max}`);
  if (!NAME.test(value)) fail(value, member, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
}

export const checkUserName = (v: string): void => checkName(v, 'userName', 64);
export const checkRoleName = (v: string): void => checkName(v, 'roleName', 64);
export const checkGroupName = (v: string): void => checkName(v, 'groupName', 128);
export const checkPolicyName = (v: string): void => checkName(v, 'policyName', 128);

export function checkPath(value: string, member = 'path'): void {
  if (value.length > 512) fail(value, member, 'Member must have length less than or equal to 512');
  if (!PATH.test(value)) fail(value, member, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
}

export function checkPolicyPath(value: string, member = 'path'): void {
  if (value.length > 512) fail(value, member, 'Member must have length less than or equal to 512');
  if (!POLICY_PATH.test(value)) fail(value, member, 'Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/');
}

export function checkMaxSessionDuration(value: number): void {
  if (!Number.isInteger(value)) fail(value, 'maxSessionDuration', 'Member must be an integer');
  if (value < 3600) fail(value, 'maxSessionDuration', 'Member must have value greater than or equal to 3600');
  if (value > 43200) fail(value, 'maxSessionDuration', 'Member must have value less than or equal to 43200');
}

export function checkDescription(value: string, member = 'description'): void {
  if (value.length > 1000) fail(value, member, 'Member must have length less than or equal to 1000');
}

export function checkAccessKeyId(value: string): void {
  if (value.length < 16) fail(value, 'accessKeyId', 'Member must have length greater than or equal to 16');
  if (value.length > 128) fail(value, 'accessKeyId', 'Member must have length less than or equal to 128');
  if (!/^\w+$/.test(value)) fail(value, 'accessKeyId', 'Member must satisfy regular expression pattern: [\\w]+');
}

/** IAM names are unique and looked up without regard to case ("names are not distinguished by case"). */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** IAM keeps second precision for CreateDate and friends. */
export function iamTimestamp(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
