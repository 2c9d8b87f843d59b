/** The mlzone the `explain`/`status`/`profiles` commands talk to: `--endpoint`, else MLZONE_ENDPOINT, else the default. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4566';

export function defaultEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.MLZONE_ENDPOINT || DEFAULT_ENDPOINT;
}

/**
 * GET on a running mlzone's `/_mlzone/*` API. A refused connection says which endpoint was tried and how to start
 * one, instead of undici's bare `fetch failed`.
 */
export async function getAdmin(endpoint: string, path: string): Promise<Response> {
  const url = `${endpoint.replace(/\/$/, '')}${path}`;
  try {
    return await fetch(url);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new Error(
      `no mlzone answered at ${endpoint} (${why}). Start one with \`mlzone up\` (\`npm start\` in the mlzone folder), ` +
        `or point at the one you run with --endpoint <url> or MLZONE_ENDPOINT.`,
    );
  }
}
