/**
 * GetAuthorizationToken answers: a base64 `AWS:<password>` pair valid for 12 hours per registry, with the
 * registry's `https://` endpoint, as `docker login` consumes it. mlzone has no registry (v2 API) endpoint
 * yet, so the password is an opaque random string nothing checks.
 */
import type { AuthorizationData } from '../api.gen.js';
import { registryHost } from './names.js';

export const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export function authorizationData(registryId: string, region: string, now: number, password: string): AuthorizationData {
  return {
    authorizationToken: Buffer.from(`AWS:${password}`, 'utf8').toString('base64'),
    expiresAt: new Date(now + TOKEN_LIFETIME_MS),
    proxyEndpoint: `https://${registryHost(registryId, region)}`,
  };
}
