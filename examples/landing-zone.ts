/**
 * What the examples share: the default blueprint's region and users' keys, a client configuration for mlzone,
 * AssumeRole, waiting for a status, and the step-by-step printing. `landingZone(url)` uses a running mlzone when
 * given its URL, or starts an ephemeral one of its own at `start()`.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createApp } from '../src/app/create-app.js';

export type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export const REGION = 'us-east-1';

/** The default blueprint's users (blueprints/default.yaml). */
export const KEYS = {
  orgAdmin: { accessKeyId: 'AKIA2TMBRLGFG6WAHVRL', secretAccessKey: '1d54e5811c59864d0de752af9f6ce8b4be10f4c8' },
  devops: { accessKeyId: 'AKIATKUH2N3GV6VMFBPG', secretAccessKey: '3d39814513a22c51eb62e8588539d152aa16c467' },
  lakeAdmin: { accessKeyId: 'AKIALXWRIIKOTTUQI7PC', secretAccessKey: 'd13444328d9494caeeec7eff78c88c988770de5a' },
  ds1Scientist: { accessKeyId: 'AKIAXFEF5XS35DJLOYMK', secretAccessKey: 'bf5368b614687e04cff0feefd3c9977d17c89062' },
  ds1Engineer: { accessKeyId: 'AKIA55QA7RCCAZUS6DD2', secretAccessKey: '91d382cc25b21a6cbfe1c20d027253e3a35b5353' },
  ds2Scientist: { accessKeyId: 'AKIA6LGMV4EUQHZ57QWH', secretAccessKey: '3d6cae881b4b81ea4c1afae579fc6719300efe86' },
  testEngineer: { accessKeyId: 'AKIADGHTE4667624L7BP', secretAccessKey: '02b00605686887dd71439c284bb810482f6a7bb2' },
  prodApp: { accessKeyId: 'AKIAVQI7UHTXKH5WKGAP', secretAccessKey: 'f9104984de67d3f37bcbcc226e8364b2b4955cee' },
} as const;

export const step = (n: string, text: string) => console.log(`\n${n}. ${text}`);
export const show = (text: string) => console.log(`   ${text}`);

/** Calls `describe` every 100 ms until `done` says so. */
export async function until<T>(describe: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
  for (;;) {
    const t = await describe();
    if (done(t)) return t;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LandingZone {
  /** Starts an ephemeral mlzone unless a URL was given, and prints where it is. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** A JS SDK client configuration for these credentials (no retries: a refusal shows at once). */
  config(c: Creds): { endpoint: string; region: string; credentials: Creds; maxAttempts: number };
  assume(as: Creds, roleArn: string): Promise<Creds>;
  url(): string;
  /** Starts, runs the example's steps, prints "done" and closes; a failure is printed and sets the exit code. */
  run(steps: () => Promise<void>): void;
}

export function landingZone(given?: string): LandingZone {
  let url = given ?? '';
  let app: { close(): Promise<void> } | undefined;
  const config = (c: Creds) => ({ endpoint: url, region: REGION, credentials: c, maxAttempts: 1 });
  const zone: LandingZone = {
    async start() {
      if (!url) {
        const started = await createApp({ host: '127.0.0.1', port: 0, dataDir: '', ephemeral: true, auth: 'strict' });
        app = started;
        url = started.url;
      }
      console.log(`mlzone at ${url}`);
    },
    async close() {
      await app?.close();
    },
    config,
    async assume(as, roleArn) {
      const out = await new STSClient(config(as)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'example' }));
      return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    },
    url: () => url,
    run(steps) {
      void (async () => {
        await zone.start();
        try {
          await steps();
          console.log('\ndone');
        } finally {
          await zone.close();
        }
      })().catch((e: unknown) => {
        console.error(e);
        process.exitCode = 1;
      });
    },
  };
  return zone;
}
