/**
 * SageMaker ARNs: `arn:aws:sagemaker:<region>:<account>:<type>/<name>`. SageMaker lower-cases names inside
 * ARNs (a model `Churn-Model` has the ARN `…:model/churn-model`) while Describe answers keep the name as given,
 * so names are unique per account and region without regard to case (see `resourceKey`).
 */
export type ResourceKind =
  | 'model'
  | 'endpoint-config'
  | 'endpoint'
  | 'model-package-group'
  | 'model-package'
  | 'training-job'
  | 'processing-job'
  | 'transform-job'
  | 'pipeline'
  | 'pipeline-version'
  | 'pipeline-execution'
  /** Internal: one step record of a pipeline execution (ARN `<execution>/step/<name>`, never shown). */
  | 'pipeline-step';

export interface SageMakerArn {
  readonly region: string;
  readonly accountId: string;
  readonly kind: string;
  /** Everything after `<kind>/`, as written in the ARN (lower-case for most kinds; `group/3` for versioned packages). */
  readonly name: string;
}

export function sagemakerArn(region: string, accountId: string, kind: ResourceKind, name: string): string {
  return `arn:aws:sagemaker:${region}:${accountId}:${kind}/${name.toLowerCase()}`;
}

/** `…:model-package/<group>/<version>`: the group part lower-cased like every other name. */
export function modelPackageVersionArn(region: string, accountId: string, group: string, version: number): string {
  return `arn:aws:sagemaker:${region}:${accountId}:model-package/${group.toLowerCase()}/${version}`;
}

const ARN = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/;

export function parseSageMakerArn(arn: string): SageMakerArn | undefined {
  const m = ARN.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, kind: m[3]!, name: m[4]! } : undefined;
}

/** True when `s` is written as an ARN (SageMaker accepts a name or an ARN in many `…Name` members). */
export function isArn(s: string): boolean {
  return s.startsWith('arn:');
}

/** The stored ARN for an ARN as a client wrote it (names are lower-case inside SageMaker ARNs); undefined if not one. */
export function canonicalArn(arn: string): string | undefined {
  const p = parseSageMakerArn(arn);
  return p ? `arn:aws:sagemaker:${p.region}:${p.accountId}:${p.kind}/${p.name.toLowerCase()}` : undefined;
}
