/**
 * The `node:http` front: turns a socket request into a `WireRequest`, hands it to the chain, writes the
 * `WireResponse`. Keep-alive is on; `Expect: 100-continue` (botocore) is answered by Node itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WireRequest, WireResponse } from '../core/wire.js';

export interface RequestMeta {
  readonly sourceIp: string;
  readonly secure: boolean;
}

export type WireHandler = (req: WireRequest, meta: RequestMeta) => Promise<WireResponse>;

/** Request bodies above this size are refused before buffering (S3 streams bodies through its own path later). */
const MAX_BUFFERED_BODY = 64 * 1024 * 1024;

function decodeQuery(raw: string): Array<[string, string]> {
  if (!raw) return [];
  const out: Array<[string, string]> = [];
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.push([safeDecode(k), safeDecode(v)]);
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    const v = raw[i + 1]!;
    out[k] = k in out ? `${out[k]},${v}` : v;
  }
  return out;
}

export function toWireRequest(req: IncomingMessage, body: Buffer): WireRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  return { method: req.method ?? 'GET', rawPath, rawQuery, query: decodeQuery(rawQuery), headers: headersOf(req), body };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BUFFERED_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, r: WireResponse): void {
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  const headers: Record<string, string | number> = { ...r.headers, 'content-length': body.length };
  if (!('date' in headers)) headers.date = new Date().toUTCString();
  res.writeHead(r.status, headers);
  res.end(body);
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(handler: WireHandler, opts: { host: string; port: number }): Promise<RunningServer> {
  const server = createServer({ keepAlive: true }, (req, res) => {
    readBody(req)
      .then((body) => handler(toWireRequest(req, body), { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', secure: false }))
      .then((r) => write(res, r))
      .catch((e: unknown) => {
        // The chain turns every error into an AWS-shaped response; reaching here means the socket failed.
        if (!res.headersSent) write(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: String((e as Error).message ?? e) });
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    server,
    port,
    url: `http://${hostForUrl}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
