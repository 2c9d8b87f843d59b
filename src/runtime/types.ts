/**
 * The container runtime's contract (ARCHITECTURE.md §7): what the SageMaker service asks of a container and
 * what it gets back. A container is an interface; `process` (a supervised child process group) is the only
 * implementation today. Services never import this folder's implementation: `app/` hands them a
 * `ContainerRuntime`.
 */

/** What runs an image, once the image URI is resolved (see `images.ts`). */
export type RuntimeImage =
  /** mlzone's own algorithms, written in TypeScript and run with Node alone. */
  | { readonly kind: 'builtin'; readonly algorithm: 'linear-learner' }
  /** SageMaker framework images served by mlzone's Python shim (script mode: `inference.py`'s handlers). */
  | { readonly kind: 'framework'; readonly framework: 'sklearn' | 'xgboost'; readonly version?: string }
  /** SageMaker Data Wrangler's processing image, served by mlzone's pandas interpreter of `.flow` files. */
  | { readonly kind: 'data-wrangler'; readonly version?: string }
  /** A team's own server, mapped to a local command (blueprint `images:`). */
  | {
      readonly kind: 'command';
      readonly command: string;
      readonly args: readonly string[];
      readonly cwd?: string;
      readonly environment?: Readonly<Record<string, string>>;
    };

export interface HostingContainerSpec {
  readonly image: RuntimeImage;
  /** The extracted model artifact: the container's `/opt/ml/model` (`SM_MODEL_DIR`). */
  readonly modelDir: string;
  /** A scratch directory owned by this instance (logs, the shim's working files); created if missing. */
  readonly workDir: string;
  /** `ContainerDefinition.Environment`, passed verbatim (plus the contract's own variables). */
  readonly environment: Readonly<Record<string, string>>;
  /** For logs and `mlzone status`: `<account>/<endpoint>/<variant>/<instance>`. */
  readonly name: string;
  /** How long `/ping` may take to answer 200 after the start (AWS: ContainerStartupHealthCheckTimeoutInSeconds). */
  readonly startupTimeoutMs: number;
  /** Each line the container writes to stdout/stderr (CloudWatch Logs later). */
  readonly log?: (line: string) => void;
}

export interface InvocationRequest {
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
  /** AWS: 60 s for `/invocations`. */
  readonly timeoutMs: number;
}

export interface InvocationResponse {
  readonly status: number;
  readonly body: Buffer;
  readonly contentType?: string;
  readonly customAttributes?: string;
}

export interface StreamedInvocationResponse {
  readonly status: number;
  readonly contentType?: string;
  readonly customAttributes?: string;
  /** The response body as the container writes it (chunked transfer). */
  readonly chunks: AsyncIterable<Buffer>;
}

/** Why a container could not start or answer: `reason` is written for the user (it becomes a FailureReason). */
export class ContainerError extends Error {
  constructor(
    readonly kind: 'start' | 'ping-timeout' | 'exited' | 'invoke-timeout' | 'unavailable',
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'ContainerError';
  }
}

/** One running instance of a hosting container. */
export interface HostingContainer {
  readonly name: string;
  /** Loopback port of its HTTP server (`SAGEMAKER_BIND_TO_PORT`). */
  readonly port: number;
  /** Process id of the current process (changes when it is restarted). */
  readonly pid: number | undefined;
  /** True while the process runs and last answered `/ping`; false while it is being restarted. */
  healthy(): boolean;
  /** POST /invocations; rejects with ContainerError('unavailable' | 'invoke-timeout') — never hangs. */
  invoke(req: InvocationRequest): Promise<InvocationResponse>;
  invokeStream(req: InvocationRequest): Promise<StreamedInvocationResponse>;
  /** Resident memory of the process group in bytes, when the platform tells (Linux /proc). */
  rssBytes(): number | undefined;
  /** Stops the whole process tree (SIGTERM, SIGKILL after a grace period); no restart afterwards. */
  stop(): Promise<void>;
}

export interface ContainerRuntime {
  /**
   * Starts one instance and resolves once `/ping` answers 200. Rejects with ContainerError('start' |
   * 'ping-timeout' | 'exited') whose reason says what to do (e.g. which Debian package to install) — and then
   * nothing of the instance is left running. After a successful start the runtime restarts the process when it
   * dies (the instance is unhealthy meanwhile), until `stop()`.
   */
  startHosting(spec: HostingContainerSpec): Promise<HostingContainer>;
  /** Every instance still running, for `mlzone status`. */
  running(): readonly HostingContainer[];
  /** Stops everything (server shutdown). */
  close(): Promise<void>;
}

/**
 * A job container (training or processing): runs to completion instead of serving. The SageMaker service stages
 * inputs into `jobDir` — laid out as the container's `/opt/ml` (`input/data/<channel>/…`, `input/config/*.json`,
 * `model/`, `output/`, `checkpoints/`, `processing/…`) — and uploads what the job leaves there when it ends.
 *
 * What the service stages, and what the runtime does itself:
 * - training: the service downloads each channel into `input/data/<channel>/` and, in script mode (a framework
 *   image with the `sagemaker_program` hyperparameter), extracts `sagemaker_submit_directory`'s sourcedir.tar.gz
 *   into `code/` (the container's `/opt/ml/code`, where sagemaker-training-toolkit puts it) — both before
 *   `startJob`. The runtime writes `input/config/{hyperparameters,inputdataconfig,resourceconfig}.json` and creates
 *   `model/`, `output/data/` and `checkpoints/`.
 * - processing: the service downloads each `ProcessingInput` into its `LocalPath` (under `processing/`) and creates
 *   the outputs' `LocalPath` folders. The runtime writes `config/resourceconfig.json` and creates `output/`;
 *   `config/processingjobconfig.json` (the job description) is the service's to write.
 * - afterwards the service reads `output/failure` (training) or `output/message` (processing) for the reason.
 *
 * Paths: on Linux the job sees `jobDir` as `/opt/ml` (a private mount namespace); where that is impossible it sees
 * host paths and says so in its log (see `opt-ml.ts`).
 */
export interface JobContainerSpec {
  readonly image: RuntimeImage;
  readonly kind: 'training' | 'processing';
  /** Host folder that is the container's `/opt/ml`. */
  readonly jobDir: string;
  /** `ContainerEntrypoint` (replaces the image's own) and `ContainerArguments`/`Arguments`. */
  readonly entrypoint?: readonly string[];
  readonly arguments?: readonly string[];
  /** `Environment`, verbatim (the contract's own variables are added by the runtime). */
  readonly environment: Readonly<Record<string, string>>;
  /** Training: `HyperParameters` (values are strings, as AWS passes them). */
  readonly hyperParameters?: Readonly<Record<string, string>>;
  /** Training: the input channels staged under `input/data/<name>`. */
  readonly channels?: readonly string[];
  /** Training: each channel's `inputdataconfig.json` entry (absent members get AWS's defaults: File, FullyReplicated, None). */
  readonly channelConfig?: Readonly<Record<string, JobChannelConfig>>;
  /** Training: `ResourceConfig.InstanceType`, for `resourceconfig.json` (the toolkit's own default, `local`, when absent). */
  readonly instanceType?: string;
  /** Training: `TRAINING_JOB_NAME` and `TRAINING_JOB_ARN`, which the platform sets in the container. */
  readonly jobName?: string;
  readonly jobArn?: string;
  /** `algo-1` … `algo-n`, and which of them this process is. */
  readonly hosts: readonly string[];
  readonly currentHost: string;
  /** For logs and `mlzone status`: `<account>/<job>/<host>`. */
  readonly name: string;
  /** Each line the container writes (the job's log stream). */
  readonly log: (line: string) => void;
}

/** A training channel's entry in `/opt/ml/input/config/inputdataconfig.json` (AWS's member names). */
export interface JobChannelConfig {
  readonly ContentType?: string;
  readonly TrainingInputMode?: 'File' | 'Pipe' | 'FastFile';
  readonly S3DistributionType?: 'FullyReplicated' | 'ShardedByS3Key';
  readonly RecordWrapperType?: 'None' | 'RecordIO';
}

export interface JobExit {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: string | null;
  /** The last lines of output, for a failure reason. */
  readonly tail: readonly string[];
}

export interface RunningJobContainer {
  readonly name: string;
  readonly pid: number | undefined;
  /** Settles when the process (and its group) has ended. Never rejects. */
  readonly exited: Promise<JobExit>;
  /** Kills the whole process tree (SIGTERM, SIGKILL after a grace period). */
  stop(): Promise<void>;
}

export interface JobRuntime {
  /** Starts a job container; rejects with ContainerError('start') when it cannot start (e.g. Python missing). */
  startJob(spec: JobContainerSpec): Promise<RunningJobContainer>;
}
