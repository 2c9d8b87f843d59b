/**
 * How the registry operations name groups and packages. SageMaker accepts a name (the caller's account and the
 * request's region) or an ARN (any account: a cross-account call) in `ModelPackageGroupName` of Describe/Delete/List/
 * CreateModelPackage, and a name, a versioned name `<group>/<n>` or an ARN in `ModelPackageName`. Names are
 * lower-cased inside ARNs, so every ref carries the canonical ARN the store keys on.
 */
import { isArn, modelPackageVersionArn, parseSageMakerArn, sagemakerArn } from '../../domain/arns.js';

/** Who asks: names are resolved in this account and region. */
export interface Caller {
  readonly accountId: string;
  readonly region: string;
}

export interface GroupRef {
  readonly accountId: string;
  readonly region: string;
  /** The name as written (lower-case when it came from an ARN). */
  readonly name: string;
  /** Canonical ARN (`…:model-package-group/<lower-case name>`). */
  readonly arn: string;
  /** True when the input was an ARN. */
  readonly byArn: boolean;
}

export type PackageRef =
  | { readonly kind: 'versioned'; readonly accountId: string; readonly region: string; readonly group: string; readonly version: number; readonly arn: string }
  | { readonly kind: 'unversioned'; readonly accountId: string; readonly region: string; readonly name: string; readonly arn: string };

const VERSIONED_NAME = /^([^/]+)\/(\d+)$/;

/**
 * A `ModelPackageGroupName` member (name or ARN). The model's pattern takes an ARN of any resource type
 * (`…:[a-z\-]*\/<name>`), so an ARN is read for its account, region and name only.
 */
export function groupRef(nameOrArn: string, caller: Caller): GroupRef {
  if (isArn(nameOrArn)) {
    const p = parseSageMakerArn(nameOrArn);
    if (p) return { accountId: p.accountId, region: p.region, name: p.name, arn: sagemakerArn(p.region, p.accountId, 'model-package-group', p.name), byArn: true };
    return { accountId: caller.accountId, region: caller.region, name: nameOrArn, arn: nameOrArn, byArn: true };
  }
  return { accountId: caller.accountId, region: caller.region, name: nameOrArn, arn: sagemakerArn(caller.region, caller.accountId, 'model-package-group', nameOrArn), byArn: false };
}

/** A `ModelPackageName`/`ModelPackageArn` member: `name`, `group/3`, `…:model-package/name` or `…:model-package/group/3`. */
export function packageRef(nameOrArn: string, caller: Caller): PackageRef {
  let accountId = caller.accountId;
  let region = caller.region;
  let rest = nameOrArn;
  if (isArn(nameOrArn)) {
    // As for groups, an ARN is read for its account, region and name (`<name>` or `<group>/<version>`).
    const p = parseSageMakerArn(nameOrArn);
    if (!p) return { kind: 'unversioned', accountId, region, name: nameOrArn, arn: nameOrArn };
    accountId = p.accountId;
    region = p.region;
    rest = p.name;
  }
  const m = VERSIONED_NAME.exec(rest);
  if (m) {
    const version = Number(m[2]);
    return { kind: 'versioned', accountId, region, group: m[1]!.toLowerCase(), version, arn: modelPackageVersionArn(region, accountId, m[1]!, version) };
  }
  return { kind: 'unversioned', accountId, region, name: rest, arn: sagemakerArn(region, accountId, 'model-package', rest) };
}

/** `…:model-package/<group>/*`: every version of a group (what cross-account grants name, and what listing or registering one asks). */
export function groupVersionsPattern(group: GroupRef): string {
  return `arn:aws:sagemaker:${group.region}:${group.accountId}:model-package/${group.name.toLowerCase()}/*`;
}

/** The version counter of a group: keyed by the group's creation too, so a group deleted and created again counts from 1. */
export function versionCounterKey(groupArn: string, groupCreatedAt: number): string {
  return `package-version/${groupArn}/${groupCreatedAt}`;
}
