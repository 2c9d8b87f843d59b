/**
 * Starts mlzone in-process on a free port with an ephemeral database, for end-to-end tests with real
 * clients. Each test file gets its own instance, so tests never share state through a global.
 */
import type { App } from '../../../src/app/create-app.js';
import { createApp } from '../../../src/app/create-app.js';
import type { AppConfig } from '../../../src/app/config.js';
import type { Clock } from '../../../src/core/clock.js';

export interface TestServer {
  readonly app: App;
  readonly url: string;
  /** Moves mlzone's clock (not the client's) forward, e.g. to expire sessions. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Partial<AppConfig> = {}): Promise<TestServer> {
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  const app = await createApp({ host: '127.0.0.1', port: 0, dataDir: '', ephemeral: true, auth: 'strict', log: (m) => console.error(m), ...overrides }, clock);
  return { app, url: app.url, advance: (ms) => void (offset += ms), close: () => app.close() };
}

/** Credentials of the default blueprint's users. */
export const users = {
  orgAdmin: { accountId: '111111111111', accessKeyId: 'AKIA2TMBRLGFG6WAHVRL', secretAccessKey: '1d54e5811c59864d0de752af9f6ce8b4be10f4c8' },
  devops: { accountId: '222222222222', accessKeyId: 'AKIATKUH2N3GV6VMFBPG', secretAccessKey: '3d39814513a22c51eb62e8588539d152aa16c467' },
  lakeAdmin: { accountId: '333333333333', accessKeyId: 'AKIALXWRIIKOTTUQI7PC', secretAccessKey: 'd13444328d9494caeeec7eff78c88c988770de5a' },
  ds1Scientist: { accountId: '444444444444', accessKeyId: 'AKIAXFEF5XS35DJLOYMK', secretAccessKey: 'bf5368b614687e04cff0feefd3c9977d17c89062' },
  ds2Scientist: { accountId: '555555555555', accessKeyId: 'AKIA6LGMV4EUQHZ57QWH', secretAccessKey: '3d6cae881b4b81ea4c1afae579fc6719300efe86' },
  testEngineer: { accountId: '666666666666', accessKeyId: 'AKIADGHTE4667624L7BP', secretAccessKey: '02b00605686887dd71439c284bb810482f6a7bb2' },
  prodApp: { accountId: '777777777777', accessKeyId: 'AKIAVQI7UHTXKH5WKGAP', secretAccessKey: 'f9104984de67d3f37bcbcc226e8364b2b4955cee' },
} as const;

export const accounts = {
  management: '111111111111',
  sharedServices: '222222222222',
  dataLake: '333333333333',
  dataScience1: '444444444444',
  dataScience2: '555555555555',
  test: '666666666666',
  production: '777777777777',
  catalogHub: '888888888888',
} as const;

export function clientConfig(url: string, creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  return {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
    maxAttempts: 1,
  };
}
