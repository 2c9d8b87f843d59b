/**
 * What an endpoint runs, worked out when it is created or updated: for each production variant the model's
 * containers (taken from the model package when the model was created from one), the execution role, the
 * instance count and weight. Kept in the endpoint's record, so an endpoint keeps running what it was deployed
 * with after its config or model is deleted or changed (as on AWS), and after a restart of mlzone.
 */
import type { ContainerDefinition, ProductionVariant, DataCaptureConfig } from '../api.gen.js';

export interface ContainerPlan {
  readonly Image: string;
  readonly ModelDataUrl?: string;
  readonly Environment: Readonly<Record<string, string>>;
  readonly ContainerHostname?: string;
}

export interface VariantPlan {
  readonly VariantName: string;
  readonly ModelName: string;
  readonly ModelArn: string;
  readonly ExecutionRoleArn?: string;
  readonly InstanceCount: number;
  readonly Weight: number;
  readonly Serverless?: { readonly MemorySizeInMB: number; readonly MaxConcurrency: number };
  readonly Containers: readonly ContainerPlan[];
  readonly StartupTimeoutSeconds?: number;
}

export interface DeploymentPlan {
  readonly EndpointConfigName: string;
  readonly Variants: readonly VariantPlan[];
  readonly DataCapture?: DataCaptureConfig;
}

/** The containers a model runs: given directly, or resolved from its model package when it was created. */
export interface ModelDocument {
  readonly ModelName: string;
  readonly ModelArn: string;
  readonly ExecutionRoleArn?: string;
  readonly PrimaryContainer?: ContainerDefinition;
  readonly Containers?: readonly ContainerDefinition[];
  /** Internal (not in the API shape, so never answered): the containers with package references resolved. */
  readonly __containers: readonly ContainerPlan[];
}

export function variantPlan(v: ProductionVariant, model: ModelDocument): VariantPlan {
  const serverless = v.ServerlessConfig;
  return {
    VariantName: v.VariantName,
    ModelName: model.ModelName,
    ModelArn: model.ModelArn,
    ...(model.ExecutionRoleArn !== undefined ? { ExecutionRoleArn: model.ExecutionRoleArn } : {}),
    // A serverless variant runs one instance here: there is no cold start to imitate on one machine.
    InstanceCount: serverless ? 1 : (v.InitialInstanceCount ?? 1),
    Weight: v.InitialVariantWeight ?? 1,
    ...(serverless ? { Serverless: { MemorySizeInMB: serverless.MemorySizeInMB, MaxConcurrency: serverless.MaxConcurrency } } : {}),
    Containers: model.__containers,
    ...(v.ContainerStartupHealthCheckTimeoutInSeconds !== undefined ? { StartupTimeoutSeconds: v.ContainerStartupHealthCheckTimeoutInSeconds } : {}),
  };
}
