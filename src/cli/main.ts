import { Command } from 'commander';
import { packageVersion } from '../app/version.js';
import { statusCommand } from './status.js';
import { explainCommand } from './explain.js';
import { profiles } from './profiles.js';
import { up } from './up.js';

const program = new Command();
program.name('mlzone').description('A local, AWS-compatible twin of a multi-account ML platform').version(packageVersion());

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
  .description('print AWS CLI/SDK profiles for every persona (role_arn + source_profile profiles included)')
  .option('--endpoint <url>', 'mlzone endpoint the profiles point at', 'http://127.0.0.1:4566')
  .option('--blueprint <file>', 'blueprint the profiles are derived from')
  .option('--write', 'merge into ~/.aws/config and ~/.aws/credentials (after a backup)')
  .action((opts) => {
    try {
      profiles(opts);
    } catch (e) {
      console.error(`mlzone profiles: ${(e as Error).message}`);
      process.exit(1);
    }
  });

program
  .command('explain')
  .description('show why a request was allowed or denied: every policy considered and the statements that matched')
  .argument('<requestId>', 'the request id (x-amzn-RequestId / RequestId in the error)')
  .option('--endpoint <url>', 'the running mlzone', process.env.MLZONE_ENDPOINT ?? 'http://127.0.0.1:4566')
  .option('--json', 'print the raw explanation')
  .action(async (requestId: string, opts) => {
    try {
      process.exitCode = await explainCommand(requestId, opts);
    } catch (e) {
      console.error(`mlzone explain: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  });

program
  .command('status')
  .description('show what a running mlzone runs: endpoints, their variants and container processes')
  .option('--endpoint <url>', 'the running mlzone', process.env.MLZONE_ENDPOINT ?? 'http://127.0.0.1:4566')
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
