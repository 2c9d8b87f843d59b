/**
 * Building blocks of SageMaker's authorization declarations: `sagemaker:<Action>` on a resource ARN whose account
 * is the resource's owner (so a call naming another account's resource is cross-account and needs that
 * resource's policy), with the tag condition keys of the service authorization reference.
 */
import type { AuthzRequest } from '../../../core/service.js';
import { parseSageMakerArn } from './arns.js';

export type ConditionValues = Record<string, string | readonly string[]>;

export function sm(action: string): string {
  return `sagemaker:${action}`;
}

/** `aws:RequestTag/<k>` and `aws:TagKeys` for the tags a request attaches. */
export function requestTags(tags: ReadonlyArray<{ readonly Key: string; readonly Value?: string }> | undefined): ConditionValues {
  if (!tags || tags.length === 0) return {};
  const out: ConditionValues = { 'aws:TagKeys': tags.map((x) => x.Key) };
  for (const x of tags) out[`aws:RequestTag/${x.Key}`] = x.Value ?? '';
  return out;
}

/** `sagemaker:<action>` on `arn`; the owner is the ARN's account (a malformed ARN is authorized on itself). */
export function onArn(action: string, arn: string, context: ConditionValues = {}): AuthzRequest {
  const p = parseSageMakerArn(arn);
  return { action: sm(action), resource: arn, ...(p ? { resourceAccount: p.accountId } : {}), context };
}
