import { Command } from 'commander';
import { packageVersion } from '../app/version.js';
import { statusCommand } from './status.js';
import { explainCommand } from './explain.js';
import { defaultEndpoint, DEFAULT_ENDPOINT } from './endpoint.js';
import { profiles } from './profiles.js';
import { reset } from './reset.js';
import { up } from './up.js';

const program = new Command();
program.name('mlzone').description('A local, AWS-compatible twin of a multi-account ML platform').version(packageVersion());
// The variables every command reads, in one place for `mlzone --help` and `mlzone <command> --help`.
program.addHelpText(
  'after',
  `
Environment variables (an option given on the command line wins):
  MLZONE_PORT             up: --port (default 4566)
  MLZONE_HOST             up: --host (default 127.0.0.1)
  MLZONE_DATA_DIR         up, reset: --data-dir (default .mlzone)
  MLZONE_AUTH             up: --auth (default strict)
  MLZONE_DATABASE_URL     up: --database-url (PostgreSQL instead of SQLite)
  MLZONE_SESSION_SECRET   up: --session-secret (default: a key derived from the blueprint)
  MLZONE_JOB_CONCURRENCY  up: --job-concurrency (default: the number of cores)
  MLZONE_PYTHON           up: --python (default /usr/bin/python3, then python3)
  MLZONE_AUDIT_MAX_EVENTS up: --audit-max-events (default: no cap; 10000 when --ephemeral)
  MLZONE_AUDIT_MAX_BYTES  up: --audit-max-bytes (default: no cap)
  MLZONE_ENDPOINT         profiles, explain, status: --endpoint (default ${DEFAULT_ENDPOINT})`,
);

program
  .command('up')
  .description('serve the landing zone')
  .option('--port <port>', 'port to listen on', process.env.MLZONE_PORT ?? '4566')
  .option('--host <host>', 'address to bind', process.env.MLZONE_HOST ?? '127.0.0.1')
  .option('--data-dir <dir>', 'where state is kept', process.env.MLZONE_DATA_DIR ?? '.mlzone')
  .option('--ephemeral', 'keep everything in memory; nothing survives a restart')
  .option('--session-secret <secret>', 'seal STS session tokens under this secret instead of one derived from the blueprint (env MLZONE_SESSION_SECRET)', process.env.MLZONE_SESSION_SECRET)
  .option('--blueprint <file>', 'landing-zone blueprint (YAML); the built-in one by default')
  .option('--auth <mode>', 'strict (signatures + IAM), accounts (key = account, no checks) or off', process.env.MLZONE_AUTH ?? 'strict')
  .option('--database-url <url>', 'PostgreSQL connection string instead of SQLite', process.env.MLZONE_DATABASE_URL)
  .option('--job-concurrency <n>', 'training, processing and transform jobs run at once (default: the number of cores)', process.env.MLZONE_JOB_CONCURRENCY)
  .option('--python <path>', 'the Python that runs scikit-learn/XGBoost images (default: MLZONE_PYTHON, /usr/bin/python3, python3)', process.env.MLZONE_PYTHON)
  .option('--log-containers', 'print what endpoint containers write')
  .option('--audit-max-events <n>', 'CloudTrail events kept per account besides the 90-day window; the oldest go first', process.env.MLZONE_AUDIT_MAX_EVENTS)
  .option('--audit-max-bytes <size>', 'CloudTrail event history kept per account, in bytes (e.g. 500MB, 2GiB); the oldest go first', process.env.MLZONE_AUDIT_MAX_BYTES)
  .action(async (opts) => {
    try {
      await up(opts);
    } catch (e) {
      console.error(`mlzone up: ${(e as Error).message}`);
      process.exit(1);
    }
  });

program
  .command('profiles')
  .description('print AWS CLI/SDK profiles for every persona (role_arn + source_profile profiles included), and for accounts the running organization added')
  .option('--endpoint <url>', 'mlzone endpoint the profiles point at (MLZONE_ENDPOINT)', defaultEndpoint())
  .option('--blueprint <file>', 'blueprint the profiles are derived from')
  .option('--write', 'merge into ~/.aws/config and ~/.aws/credentials (after a backup)')
  .action(async (opts) => {
    try {
      await profiles(opts);
    } catch (e) {
      console.error(`mlzone profiles: ${(e as Error).message}`);
      process.exit(1);
    }
  });

program
  .command('explain')
  .description('show why a request was allowed or denied: every policy considered and the statements that matched')
  .argument('[requestId]', 'the request id (x-amzn-RequestId / RequestId in the error)')
  .option('--last', "the most recent denial (the whole server's, or the one --principal/--account/--action narrow to)")
  .option('--principal <arn>', "with --last: the caller's ARN, its role's ARN or part of it (e.g. ds1-scientist)")
  .option('--account <id>', "with --last: the caller's account or the account of the resource")
  .option('--action <action>', 'with --last: the call or an action checked, e.g. sts:AssumeRole')
  .option('--endpoint <url>', 'the running mlzone (MLZONE_ENDPOINT)', defaultEndpoint())
  .option('--json', 'print the raw explanation')
  .action(async (requestId: string | undefined, opts) => {
    try {
      process.exitCode = await explainCommand(requestId, opts);
    } catch (e) {
      console.error(`mlzone explain: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  });

program
  .command('reset')
  .description('delete the state of a data dir (database, objects, models) so that the next `mlzone up` starts from its blueprint')
  .option('--data-dir <dir>', 'the data dir to reset (MLZONE_DATA_DIR)', process.env.MLZONE_DATA_DIR ?? '.mlzone')
  .option('--yes', 'really delete it')
  .action((opts) => {
    try {
      console.log(reset(opts));
    } catch (e) {
      console.error(`mlzone reset: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  });

program
  .command('status')
  .description('show what a running mlzone runs: endpoints, their variants and container processes')
  .option('--endpoint <url>', 'the running mlzone (MLZONE_ENDPOINT)', defaultEndpoint())
  .option('--json', 'print the raw status')
  .action(async (opts) => {
    try {
      process.exitCode = await statusCommand(opts);
    } catch (e) {
      console.error(`mlzone status: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  });

// No top-level await: the bundle is CommonJS (see scripts/bundle.mjs); every action reports its own errors.
void program.parseAsync(process.argv);
