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
