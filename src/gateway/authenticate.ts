/**
 * Authentication step of the chain: SigV4 claim → credentials → verified signature → Principal.
 *
 * Modes (ARCHITECTURE §5): `strict` verifies every signature; `accounts` trusts the access key without a
 * signature (a 12-digit key acts as that account's root, LocalStack style); `off` makes every caller the
 * default account's root.
 */
import type { AwsError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import type { WireRequest } from '../core/wire.js';
import { resolveCredentials, rootPrincipal, type CredentialSources } from '../auth/principal.js';
import { createSigV4Verifier, readClaim } from '../auth/sigv4.js';
import { authError, flavorOf } from '../auth/sigv4-errors.js';
import type { ErrorStyle } from './service-registry.js';

export type AuthMode = 'strict' | 'accounts' | 'off';

export interface Authenticator {
  authenticate(req: WireRequest, opts: { service: string; style: ErrorStyle; now: number; anonymous: boolean }): Promise<Principal>;
}

const ANONYMOUS: Principal = { type: 'Anonymous', accountId: '', arn: '*', userId: 'anonymous' };

function missingToken(style: ErrorStyle, s3: boolean): AwsError {
  return authError('missingAuthentication', flavorOf({ style, s3 }), {});
}

export function createAuthenticator(deps: { mode: AuthMode; sources: CredentialSources; defaultAccountId: string }): Authenticator {
  const verifier = createSigV4Verifier();
  const defaultRoot = rootPrincipal(deps.defaultAccountId);
  return {
    async authenticate(req, { service, style, now, anonymous }) {
      const s3 = service === 's3';
      if (deps.mode === 'off') return defaultRoot;
      const claim = readClaim(req, { style, s3 });
      if (!claim) {
        if (anonymous) return ANONYMOUS;
        if (deps.mode === 'accounts') return defaultRoot;
        throw missingToken(style, s3);
      }
      if (deps.mode === 'accounts') {
        if (/^\d{12}$/.test(claim.accessKeyId)) return rootPrincipal(claim.accessKeyId);
        try {
          return (await resolveCredentials(deps.sources, claim.accessKeyId, claim.sessionToken, now, { style, s3 })).principal;
        } catch {
          return defaultRoot;
        }
      }
      const { principal, secretAccessKey } = await resolveCredentials(deps.sources, claim.accessKeyId, claim.sessionToken, now, { style, s3 });
      if (secretAccessKey === undefined) throw missingToken(style, s3);
      verifier.verify(req, claim, secretAccessKey, { style, s3, now });
      return principal;
    },
  };
}
