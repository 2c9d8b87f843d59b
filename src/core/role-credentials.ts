/**
 * Temporary credentials a service mints on a caller's behalf, as Lake Formation's credential vending does
 * (GetTemporaryGlueTableCredentials, GetTemporaryDataLocationCredentials): the service assumes the role a data
 * location is registered with — through STS, so the role's trust policy decides — and narrows the session with a
 * session policy to the location asked for. Implemented by the composition root (src/app/create-app.ts).
 */

export interface VendedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch milliseconds. */
  readonly expiration: number;
}

export interface RoleCredentialsPort {
  /**
   * `sts:AssumeRole` of `roleArn` by the service principal `service` (e.g. `lakeformation.amazonaws.com`) on behalf
   * of `sourceAccount`, the session narrowed by `policy` (a session policy document).
   */
  assume(input: { roleArn: string; service: string; sessionName: string; policy: string; durationSeconds: number; sourceAccount: string }): Promise<VendedCredentials>;
  /**
   * The service-linked role `roleName` of `service` in `account` (path `/aws-service-role/<service>/`, trusted by the
   * service), created when missing, with `policy` as its inline policy `policyName` (replaced). Returns its ARN.
   */
  serviceLinkedRole(input: { account: string; service: string; roleName: string; policyName: string; policy: string }): Promise<string>;
}
