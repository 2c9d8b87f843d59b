/**
 * Ports between CloudWatch metrics, CloudWatch Logs, Observability Access Manager and the services that
 * produce telemetry (SageMaker endpoints and jobs). Implemented in `services/cloudwatch`, `services/logs` and
 * `services/oam`; wired in `app/create-app.ts`. Producers write as the AWS service would (no IAM check:
 * the service itself is the writer), into the account and region that own the resource.
 */

/** OAM resource types a link can share. */
export type ObservabilityResourceType = 'AWS::CloudWatch::Metric' | 'AWS::Logs::LogGroup';

/** Who the monitoring account sees: implemented by `services/oam` from its sinks, sink policies and links. */
export interface ObservabilityLinks {
  /**
   * The source accounts whose `resourceType` a monitoring account sees in `region` (each has a link to one of
   * its sinks that shares that type). Never includes `monitoringAccount` itself.
   */
  sourceAccounts(monitoringAccount: string, region: string, resourceType: ObservabilityResourceType): Promise<readonly string[]>;
}

/** One datum as PutMetricData takes it (values/counts and statistic sets both allowed). */
export interface MetricDatum {
  readonly metricName: string;
  readonly dimensions?: readonly { readonly name: string; readonly value: string }[];
  readonly timestamp?: number;
  readonly value?: number;
  readonly values?: readonly number[];
  readonly counts?: readonly number[];
  readonly statisticValues?: { readonly sampleCount: number; readonly sum: number; readonly minimum: number; readonly maximum: number };
  readonly unit?: string;
  readonly storageResolution?: number;
}

/** Where services publish metrics (`AWS/SageMaker` …); implemented by `services/cloudwatch`. */
export interface MetricsSink {
  put(accountId: string, region: string, namespace: string, data: readonly MetricDatum[]): Promise<void>;
}

/** Where services write log lines (`/aws/sagemaker/Endpoints/<name>` …); implemented by `services/logs`. Creates group and stream when missing. */
export interface LogsSink {
  put(
    accountId: string,
    region: string,
    logGroupName: string,
    logStreamName: string,
    events: readonly { readonly timestamp: number; readonly message: string }[],
  ): Promise<void>;
}
