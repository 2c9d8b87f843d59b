/**
 * mlzone from the sources as its own process for bench/metrics.ts and bench/logs.ts (so that the server's CPU time
 * is measured apart from the load generator's): `--data-dir <dir> --port <n>`, `--auth strict`; prints
 * `{"url": …}` on stdout when listening and closes on SIGTERM.
 */
import { parseArgs } from 'node:util';
import { createApp } from '../src/app/create-app.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string', default: '0' } } });
const app = await createApp({ host: '127.0.0.1', port: Number(values.port), dataDir: values['data-dir']!, ephemeral: false, auth: 'strict' });
process.stdout.write(JSON.stringify({ url: app.url }) + '\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
