/**
 * What hosting needs from the rest of mlzone, handed in by `app/`: the container runtime, calls made as the
 * model's execution role (image pulls and artifact reads are authorized exactly as that role's own calls), the
 * images mlzone knows without a registry (AWS framework and algorithm images, blueprint commands), and where
 * extracted models live.
 */
import type { InternalClient } from '../../../gateway/internal-client.js';
import type { LogsSink, MetricsSink } from '../../../core/observability.js';
import type { Principal } from '../../../core/principal.js';
import type { ContainerRuntime, JobRuntime, RuntimeImage } from '../../../runtime/types.js';

export interface ExecutionRoles {
  /**
   * A session of `roleArn` as SageMaker assumes it (`sts:AssumeRole` by `sagemaker.amazonaws.com`, so the role's
   * trust policy decides), on behalf of `sourceArn`. Rejects with the STS error when the role cannot be assumed.
   */
  assume(roleArn: string, via: { readonly sourceArn: string; readonly sourceAccount: string }): Promise<Principal>;
  /** The same session with its temporary credentials, for code inside a job container that calls AWS as the role. */
  session(roleArn: string, via: { readonly sourceArn: string; readonly sourceAccount: string }): Promise<{ readonly principal: Principal; readonly credentials: RoleCredentials }>;
}

export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

export interface HostingPorts {
  readonly runtime: ContainerRuntime;
  /** Training and processing containers. */
  readonly jobs: JobRuntime;
  /** How many jobs run at once (default: the number of cores). */
  readonly jobConcurrency: number;
  /** mlzone's own URL, given to job containers as AWS_ENDPOINT_URL (late-bound: known once the server listens). */
  endpointUrl(): string;
  /** A folder as `model.tar.gz` (a training job's model and output data). */
  packDirectory(dir: string): Promise<Buffer>;
  /** Late-bound: the internal client exists only once every service is registered. */
  readonly internal: () => InternalClient;
  readonly executionRoles: ExecutionRoles;
  /** An image mlzone runs without asking a registry (AWS-owned framework/algorithm URIs, blueprint commands). */
  knownImage(uri: string): RuntimeImage | undefined;
  /** True for the accounts of the landing zone (their images are pulled through mlzone's ECR and its policies). */
  isLandingZoneAccount(accountId: string): boolean;
  /** Extracts a `model.tar.gz` into `dir` (throws an Error whose message a user understands). */
  extractModel(tarGz: Buffer, dir: string): Promise<void>;
  /** Where endpoints publish their `AWS/SageMaker` invocation metrics (CloudWatch); none: not published. */
  readonly metrics?: MetricsSink;
  /**
   * Where containers' stdout/stderr go (CloudWatch Logs): endpoints to `/aws/sagemaker/Endpoints/<name>`, jobs to
   * `/aws/sagemaker/{Training,Processing,Transform}Jobs`, in the resource's account; none: not kept.
   */
  readonly logs?: LogsSink;
  /** Where endpoint instances keep their models and scratch files. */
  readonly workDir: string;
  /** How long a container may take to answer `/ping` when the variant does not say (AWS: up to 60 minutes). */
  readonly startupTimeoutMs: number;
  /** How long `/invocations` may take (AWS: 60 s). */
  readonly invocationTimeoutMs: number;
  readonly log?: (message: string) => void;
}
