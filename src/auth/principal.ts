/**
 * Access key (+ session token) → Principal. The credential stores are ports wired by `app/`: IAM users'
 * long-term keys and STS sessions. Errors use the code each protocol family reports.
 */
import { AwsError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import { rootArn } from '../core/principal.js';

export interface LongTermKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly status: 'Active' | 'Inactive';
  readonly accountId: string;
  readonly userName: string;
  readonly userId: string;
  readonly userArn: string;
}

export interface CredentialSources {
  findAccessKey(accessKeyId: string): Promise<LongTermKey | undefined>;
  resolveSession(
    accessKeyId: string,
    sessionToken: string | undefined,
    now: number,
  ): Promise<{ kind: 'ok'; principal: Principal; secretAccessKey: string } | { kind: 'unknown' | 'token-mismatch' | 'expired' }>;
}

export type ErrorStyle = 'query' | 'json' | 'rest-json' | 'rest-xml';

export interface ResolvedCredentials {
  readonly principal: Principal;
  /** Undefined when signatures are not checked (`accounts` mode for a bare account id). */
  readonly secretAccessKey?: string;
}

function invalidToken(style: ErrorStyle): AwsError {
  if (style === 'rest-xml') return new AwsError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { status: 403 });
  if (style === 'query') return new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', { status: 403 });
  return new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', { status: 400 });
}

function invalidSessionToken(style: ErrorStyle): AwsError {
  if (style === 'rest-xml') return new AwsError('InvalidToken', 'The provided token is malformed or otherwise invalid.', { status: 400 });
  return invalidToken(style);
}

function expired(style: ErrorStyle): AwsError {
  if (style === 'rest-xml') return new AwsError('ExpiredToken', 'The provided token has expired.', { status: 400 });
  if (style === 'query') return new AwsError('ExpiredToken', 'The security token included in the request is expired', { status: 403 });
  return new AwsError('ExpiredTokenException', 'The security token included in the request is expired', { status: 400 });
}

export function rootPrincipal(accountId: string): Principal {
  return { type: 'Root', accountId, arn: rootArn(accountId), userId: accountId };
}

export async function resolveCredentials(
  sources: CredentialSources,
  accessKeyId: string,
  sessionToken: string | undefined,
  now: number,
  style: ErrorStyle,
): Promise<ResolvedCredentials> {
  if (accessKeyId.startsWith('ASIA')) {
    const s = await sources.resolveSession(accessKeyId, sessionToken, now);
    if (s.kind === 'ok') return { principal: s.principal, secretAccessKey: s.secretAccessKey };
    if (s.kind === 'expired') throw expired(style);
    if (s.kind === 'token-mismatch') throw invalidSessionToken(style);
    throw invalidToken(style);
  }
  const key = await sources.findAccessKey(accessKeyId);
  if (!key || key.status !== 'Active') throw invalidToken(style);
  if (sessionToken !== undefined) throw invalidSessionToken(style);
  return {
    principal: {
      type: 'IAMUser',
      accountId: key.accountId,
      arn: key.userArn,
      userId: key.userId,
      accessKeyId,
      name: key.userName,
    },
    secretAccessKey: key.secretAccessKey,
  };
}
