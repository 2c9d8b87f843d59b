/**
 * CreateAccount, end to end: the org admin's session (JS SDK, SigV4, strict auth) calls CreateAccount and polls
 * DescribeCreateAccountStatus every 2 ms until SUCCEEDED; timed from the call to the answer that says SUCCEEDED.
 * Also the service's own time (RequestedTimestamp → CompletedTimestamp). mlzone runs in this process on a fresh
 * `--data-dir` (SQLite in WAL mode on disk, as `mlzone up` runs), so every commit is a real one.
 *
 *   node --import tsx bench/create-account.ts [accounts=30]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccountCommand, DescribeCreateAccountStatusCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createApp } from '../src/app/create-app.js';

const n = Number(process.argv[2] ?? 30);
const orgAdmin = { accessKeyId: 'AKIA2TMBRLGFG6WAHVRL', secretAccessKey: '1d54e5811c59864d0de752af9f6ce8b4be10f4c8' };
const pct = (xs: readonly number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-bench-create-account-'));
const app = await createApp({ host: '127.0.0.1', port: 0, dataDir, ephemeral: false, auth: 'strict' });
try {
  const base = { endpoint: app.url, region: 'us-east-1', maxAttempts: 1 };
  const session = await new STSClient({ ...base, credentials: orgAdmin }).send(
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/Admin', RoleSessionName: 'bench' }),
  );
  const c = session.Credentials!;
  const orgs = new OrganizationsClient({ ...base, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
  const endToEnd: number[] = [];
  const service: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const r = await orgs.send(new CreateAccountCommand({ Email: `bench-${i}@mlzone.example`, AccountName: `bench-${i}` }));
    for (;;) {
      const s = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: r.CreateAccountStatus!.Id! }))).CreateAccountStatus!;
      if (s.State === 'SUCCEEDED') {
        endToEnd.push(performance.now() - started);
        service.push(s.CompletedTimestamp!.getTime() - s.RequestedTimestamp!.getTime());
        break;
      }
      if (s.State !== 'IN_PROGRESS') throw new Error(`CreateAccount ${i} ended ${s.State} (${s.FailureReason})`);
      await new Promise((res) => setTimeout(res, 2));
    }
  }
  const row = (name: string, xs: number[]) =>
    `| ${name} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`;
  console.log(`CreateAccount × ${n} (Node ${process.version}, load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
  console.log('| measured | median ms | p95 ms | max ms |\n|---|---|---|---|');
  console.log(row('call → DescribeCreateAccountStatus says SUCCEEDED (client)', endToEnd));
  console.log(row('RequestedTimestamp → CompletedTimestamp (service)', service));
} finally {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}
