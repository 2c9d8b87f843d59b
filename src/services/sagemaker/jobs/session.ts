/**
 * A job's role: the session SageMaker takes for it (its trust policy decides), and the environment that gives code
 * inside the container that session — credentials, region and `AWS_ENDPOINT_URL` pointing back at mlzone.
 */
import type { Principal } from '../../../core/principal.js';
import type { HostingPorts, RoleCredentials } from '../hosting/ports.js';
import { JobFailure } from './role-s3.js';

export interface JobSession {
  readonly principal: Principal;
  readonly credentials: RoleCredentials;
}

export async function jobSession(ports: HostingPorts, roleArn: string, jobArn: string, accountId: string): Promise<JobSession> {
  try {
    return await ports.executionRoles.session(roleArn, { sourceArn: jobArn, sourceAccount: accountId });
  } catch (e) {
    throw new JobFailure(`ClientError: SageMaker could not assume the role ${roleArn}. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role. (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The job's `Environment` with the role's credentials and mlzone's endpoint. */
export function roleEnvironment(ports: HostingPorts, session: JobSession, region: string, environment: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return {
    ...(environment ?? {}),
    AWS_ACCESS_KEY_ID: session.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: session.credentials.sessionToken,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ENDPOINT_URL: ports.endpointUrl(),
  };
}
