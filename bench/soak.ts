/**
 * Soak: does a long-running mlzone level off? Starts mlzone from the build on a fresh data dir, sends a fixed rate of
 * mixed calls — allowed and denied, IAM, S3, STS and SageMaker reads as data-science-1's ReadOnly session — and every
 * `--sample-seconds` records the server's RSS and the data dir's size on disk. At the end it prints the series as a
 * Markdown table and a verdict (see `verdict`): RSS and disk level off when the last third of the run peaks no higher
 * than the middle third (the audit history's caps and the kept-denial bound should cap both).
 *
 *   npm run bench:soak -- --minutes 30 --rate 40 [--audit-max-events 20000] [--out soak.jsonl]
 *
 * Every answer is checked: an allowed call must succeed and a denied one must get AccessDenied; anything else is
 * counted as unexpected (and a few samples printed), so a soak that "levels off" because calls fail shows it.
 * The rate is fixed (not "as fast as it goes") so that the run is comparable across machines under other load;
 * calls in flight are capped, and calls that could not start on time are counted as late.
 */
import { readdirSync, statSync, writeFileSync, appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execSync } from 'node:child_process';
import { GetCallerIdentityCommand, AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { IAMClient, GetRoleCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { S3Client, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SageMakerClient, ListTrainingJobsCommand, ListModelPackageGroupsCommand, CreateModelPackageGroupCommand, DescribeModelPackageGroupCommand } from '@aws-sdk/client-sagemaker';
import { memoryOf } from './procfs.js';
import { spawnMlzone } from './server.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '40' },
    'sample-seconds': { type: 'string', default: '30' },
    'max-in-flight': { type: 'string', default: '32' },
    'audit-max-events': { type: 'string' },
    'audit-max-bytes': { type: 'string' },
    out: { type: 'string' },
    'keep-data': { type: 'boolean', default: false },
  },
});

const minutes = Number(args.minutes);
const rate = Number(args.rate);
const sampleMs = Number(args['sample-seconds']) * 1000;
const maxInFlight = Number(args['max-in-flight']);
if (!(minutes > 0) || !(rate > 0) || !(sampleMs > 0) || !(maxInFlight > 0)) throw new Error('--minutes, --rate, --sample-seconds and --max-in-flight must be positive numbers');

const DS1_SCIENTIST = { accessKeyId: 'AKIAXFEF5XS35DJLOYMK', secretAccessKey: 'bf5368b614687e04cff0feefd3c9977d17c89062' };
const DS1 = '444444444444';
const PROD = '777777777777';

/** Bytes of every file under `dir` (the database, its WAL, blobs). */
function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    try {
      if (e.isDirectory()) total += dirBytes(p);
      else if (e.isFile()) total += statSync(p).size;
    } catch {
      // A file that went away between readdir and stat (SQLite's journal) counts as nothing.
    }
  }
  return total;
}

interface Sample {
  readonly minute: number;
  readonly rssMiB: number;
  readonly dataMiB: number;
  readonly calls: number;
  readonly allowed: number;
  readonly denied: number;
  readonly unexpected: number;
  readonly late: number;
  readonly load1: number;
}

interface Op {
  readonly name: string;
  readonly expect: 'ok' | 'denied';
  run(): Promise<unknown>;
}

function isDenied(e: unknown): boolean {
  const name = (e as { name?: string; Code?: string }).name ?? '';
  return name === 'AccessDenied' || name === 'AccessDeniedException';
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-soak-'));
  const extra = [
    ...(args['audit-max-events'] ? ['--audit-max-events', args['audit-max-events']] : []),
    ...(args['audit-max-bytes'] ? ['--audit-max-bytes', args['audit-max-bytes']] : []),
  ];
  const server = await spawnMlzone({ auth: 'strict', dataDir, args: extra });
  const commit = (() => {
    try {
      return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const header = `soak: mlzone pid ${server.pid} at ${server.url}, data dir ${dataDir}, ${minutes} min at ${rate} calls/s (≤ ${maxInFlight} in flight), commit ${commit}, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}${extra.length ? `, ${extra.join(' ')}` : ''}`;
  console.log(header);
  if (args.out) writeFileSync(args.out, `${JSON.stringify({ header })}\n`);

  const base = { endpoint: server.url, region: 'us-east-1', maxAttempts: 1 };
  const session = async () => {
    const out = await new STSClient({ ...base, credentials: DS1_SCIENTIST }).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DS1}:role/ReadOnly`, RoleSessionName: 'soak', DurationSeconds: 3600 }),
    );
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  };
  // A model package group to describe, made by the account's DataScientist (ReadOnly may only read it).
  const scientist = await new STSClient({ ...base, credentials: DS1_SCIENTIST }).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DS1}:role/DataScientist`, RoleSessionName: 'soak-setup' }),
  );
  const sc = scientist.Credentials!;
  await new SageMakerClient({ ...base, credentials: { accessKeyId: sc.AccessKeyId!, secretAccessKey: sc.SecretAccessKey!, sessionToken: sc.SessionToken! } }).send(
    new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'soak-group' }),
  );
  let credentials = await session();
  // Clients read `credentials` through a provider, so the session is renewed in place every 30 minutes.
  const provider = async () => credentials;
  const renew = setInterval(() => void session().then((c) => (credentials = c), (e: unknown) => console.error('soak: renewing the session failed', e)), 30 * 60_000);
  const sts = new STSClient({ ...base, credentials: provider });
  const iam = new IAMClient({ ...base, credentials: provider });
  const s3 = new S3Client({ ...base, credentials: provider, forcePathStyle: true });
  const sm = new SageMakerClient({ ...base, credentials: provider });
  let n = 0;
  const ops: Op[] = [
    { name: 'sts:GetCallerIdentity', expect: 'ok', run: () => sts.send(new GetCallerIdentityCommand({})) },
    { name: 'iam:GetRole', expect: 'ok', run: () => iam.send(new GetRoleCommand({ RoleName: 'DataScientist' })) },
    { name: 's3:ListObjectsV2 own bucket', expect: 'ok', run: () => s3.send(new ListObjectsV2Command({ Bucket: `sagemaker-us-east-1-${DS1}`, MaxKeys: 10 })) },
    { name: 'sagemaker:ListTrainingJobs', expect: 'ok', run: () => sm.send(new ListTrainingJobsCommand({ MaxResults: 10 })) },
    { name: 'sagemaker:ListModelPackageGroups', expect: 'ok', run: () => sm.send(new ListModelPackageGroupsCommand({ MaxResults: 10 })) },
    { name: 'sagemaker:DescribeModelPackageGroup', expect: 'ok', run: () => sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'soak-group' })) },
    // Denied: ReadOnly may not write, production is fenced off by SCPs, and nobody outside may list its bucket.
    { name: 'iam:CreateRole (denied)', expect: 'denied', run: () => iam.send(new CreateRoleCommand({ RoleName: `soak-${++n}`, AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' })) },
    { name: 's3:ListObjectsV2 production bucket (denied)', expect: 'denied', run: () => s3.send(new ListObjectsV2Command({ Bucket: `mlzone-prod-models-${PROD}` })) },
    { name: 'sts:AssumeRole production (denied)', expect: 'denied', run: () => sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PROD}:role/ReadOnly`, RoleSessionName: `soak-${++n}` })) },
    { name: 'sagemaker:CreateModelPackageGroup (denied)', expect: 'denied', run: () => sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: `soak-${++n}` })) },
  ];

  let calls = 0;
  let allowed = 0;
  let denied = 0;
  let unexpected = 0;
  let late = 0;
  let inFlight = 0;
  const samplesOfUnexpected: string[] = [];
  const samples: Sample[] = [];
  const t0 = Date.now();
  const end = t0 + minutes * 60_000;

  const fire = (op: Op) => {
    calls++;
    inFlight++;
    op.run().then(
      () => (op.expect === 'ok' ? allowed++ : (unexpected++, note(`${op.name}: succeeded but should be denied`))),
      (e: unknown) => (op.expect === 'denied' && isDenied(e) ? denied++ : (unexpected++, note(`${op.name}: ${(e as Error).name}: ${(e as Error).message}`))),
    ).finally(() => inFlight--);
  };
  const note = (s: string) => {
    if (samplesOfUnexpected.length < 5) {
      samplesOfUnexpected.push(s);
      console.error(`soak: unexpected answer — ${s}`);
    }
  };

  const sample = () => {
    const s: Sample = {
      minute: Math.round((Date.now() - t0) / 600) / 100,
      rssMiB: Math.round((memoryOf(server.pid)?.rssMiB ?? NaN) * 10) / 10,
      dataMiB: Math.round((dirBytes(dataDir) / 1048576) * 10) / 10,
      calls,
      allowed,
      denied,
      unexpected,
      late,
      load1: Math.round(loadavg()[0]! * 100) / 100,
    };
    samples.push(s);
    console.log(JSON.stringify(s));
    if (args.out) appendFileSync(args.out, `${JSON.stringify(s)}\n`);
  };
  sample();

  // Fixed rate: every 100 ms, the calls due by now are started (up to the in-flight cap; the rest count as late).
  let due = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = Date.now();
      if (now >= end) {
        clearInterval(tick);
        resolve();
        return;
      }
      due += rate / 10;
      while (due >= 1) {
        due--;
        if (inFlight >= maxInFlight) {
          late++;
          continue;
        }
        fire(ops[next++ % ops.length]!);
      }
    }, 100);
    const sampler = setInterval(sample, sampleMs);
    const stopSampler = () => clearInterval(sampler);
    setTimeout(stopSampler, end - t0 + 10).unref();
  });
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 50));
  sample();
  clearInterval(renew);
  await server.stop();
  if (!args['keep-data']) rmSync(dataDir, { recursive: true, force: true });

  console.log(`\n${header}\n`);
  console.log('| minute | RSS MiB | data dir MiB | calls | allowed | denied | unexpected | late | load1 |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const s of samples) console.log(`| ${s.minute.toFixed(1)} | ${s.rssMiB} | ${s.dataMiB} | ${s.calls} | ${s.allowed} | ${s.denied} | ${s.unexpected} | ${s.late} | ${s.load1} |`);
  console.log(`\n${verdict(samples)}`);
  if (samplesOfUnexpected.length) console.log(`unexpected answers (first ${samplesOfUnexpected.length}):\n${samplesOfUnexpected.map((s) => `  ${s}`).join('\n')}`);
}

/**
 * Levels off when the highest value of the last third of the run is within 5 % (or 2 MiB) of the highest of the
 * middle third: the peaks, because RSS saws up and down with garbage collection; the middle third, because the
 * first holds the start-up and the caches filling. The growth rates are printed too.
 */
export function verdict(samples: readonly Sample[]): string {
  if (samples.length < 6) return 'verdict: too few samples to tell (run longer or sample more often)';
  const third = Math.floor(samples.length / 3);
  const middle = samples.slice(third, 2 * third);
  const last = samples.slice(2 * third);
  const part = (label: string, f: (s: Sample) => number) => {
    const m = Math.max(...middle.map(f));
    const l = Math.max(...last.map(f));
    const minutes = Math.max(1e-9, last[last.length - 1]!.minute - middle[0]!.minute);
    const flat = l - m <= Math.max(2, m * 0.05);
    return `${label}: peak ${m.toFixed(1)} MiB in the middle third, ${l.toFixed(1)} in the last (${(((f(last[last.length - 1]!) - f(middle[0]!)) / minutes) * 10).toFixed(1)} MiB/10 min since the middle third began) → ${flat ? 'levels off' : 'still growing'}`;
  };
  return `verdict: ${part('RSS', (s) => s.rssMiB)}; ${part('data dir', (s) => s.dataMiB)}`;
}

await main();
