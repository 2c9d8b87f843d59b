import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { clientConfig } from './server.js';

export interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** AssumeRole through mlzone and return the session's credentials. */
export async function assumeRole(url: string, as: Creds, roleArn: string, extra: Partial<AssumeRoleCommandInput> = {}): Promise<Creds> {
  const out = await new STSClient(clientConfig(url, as)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'e2e', ...extra }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

/**
 * Environment for a boto3 script or AWS CLI run as `c` and nothing else: no profile, no config or credentials file
 * of the machine's user.
 */
export function credentialsEnv(c: Creds): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_SESSION_TOKEN: c.sessionToken,
    AWS_PROFILE: undefined,
    AWS_DEFAULT_PROFILE: undefined,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

/** A unique-enough suffix so tests sharing a server never collide on names. */
export function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
