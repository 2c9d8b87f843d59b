/**
 * The `node:http` front: turns a socket request into a `WireRequest`, hands it to the chain, writes the
 * `WireResponse`. Keep-alive is on; `Expect: 100-continue` (botocore) is answered by Node itself.
 *
 * Bodies are buffered (up to 64 MiB), except an S3 PUT's (PutObject / UploadPart may be gigabytes): its
 * body is handed on as `bodyStream` and read as the blob is written; the pipeline buffers it after all when
 * the operation turns out not to stream. A `bodyStream` response is written with backpressure.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyStream, type WireRequest, type WireResponse } from '../core/wire.js';
import { looksLikeS3 } from './route.js';

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

const EMPTY = Buffer.alloc(0);

/** The request with its body left on the socket as `bodyStream` when it is an S3 PUT, else undefined. */
function streamedRequest(req: IncomingMessage): WireRequest | undefined {
  if (req.method !== 'PUT') return undefined;
  const head = toWireRequest(req, EMPTY);
  if (!looksLikeS3(head)) return undefined;
  // A consumer that stops early must not destroy the socket: the error response still has to go out.
  const bodyStream = new BodyStream(() => req.iterator({ destroyOnReturn: false }));
  return { ...head, bodyStream };
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

async function write(res: ServerResponse, r: WireResponse, method: string): Promise<void> {
  const headers: Record<string, string | number> = { ...r.headers };
  if (!('date' in headers)) headers.date = new Date().toUTCString();
  if (r.bodyStream) {
    res.writeHead(r.status, headers);
    await pump(res, r.bodyStream);
    return;
  }
  let body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  if (r.status === 304) {
    // Not Modified carries no body (S3 conditional GET answered through the error path).
    body = EMPTY;
    delete headers['content-type'];
  }
  // A HEAD answer keeps the Content-Length of the body it describes (S3 HeadObject).
  if (r.status !== 304 && !(method === 'HEAD' && 'content-length' in headers)) headers['content-length'] = body.length;
  res.writeHead(r.status, headers);
  res.end(body);
}

/** Writes a stream to the response, waiting for 'drain' when the socket is full; ends it or destroys it on error. */
async function pump(res: ServerResponse, body: AsyncIterable<Uint8Array>): Promise<void> {
  const it = body[Symbol.asyncIterator]();
  try {
    for (let r = await it.next(); !r.done; r = await it.next()) {
      if (res.destroyed) break;
      if (!res.write(r.value)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    if (!res.destroyed) res.end();
  } catch {
    // Headers (and a Content-Length) are out: the only honest signal left is a cut connection.
    res.destroy();
  } finally {
    await it.return?.();
  }
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(handler: WireHandler, opts: { host: string; port: number }): Promise<RunningServer> {
  const server = createServer({ keepAlive: true }, (req, res) => {
    const meta = { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', secure: false };
    const streamed = streamedRequest(req);
    (streamed ? handler(streamed, meta) : readBody(req).then((body) => handler(toWireRequest(req, body), meta)))
      .then((r) => write(res, r, req.method ?? 'GET'))
      .catch((e: unknown) => {
        // The chain turns every error into an AWS-shaped response; reaching here means the socket failed.
        if (!res.headersSent) void write(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: String((e as Error).message ?? e) }, 'GET');
      })
      .finally(() => {
        // An answer given before a streamed body was read to its end (an error): drain the rest so the
        // connection stays usable for keep-alive.
        if (streamed && !req.complete && !req.destroyed) req.resume();
      });
  });
  server.keepAliveTimeout = 65_000;
  // Node ends any request still being received after 5 minutes; a multi-gigabyte S3 upload on a slow link takes
  // longer. Headers must still arrive within headersTimeout (60 s), which is what guards against slow clients.
  server.requestTimeout = 0;
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
