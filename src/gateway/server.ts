/**
 * The `node:http` front: turns a socket request into a `WireRequest`, hands it to the chain, writes the
 * `WireResponse`. Keep-alive is on.
 *
 * Before a byte of body is read the gate looks at the head (see admission.ts): a request it refuses is answered at
 * once (an `Expect: 100-continue` client is never told to send), and the body of one it admits is buffered only up
 * to the limit it sets — 64 MiB signed, 2 MiB without credentials — except an S3 PUT's (PutObject / UploadPart may
 * be gigabytes): its body is handed on as `bodyStream` and read as the blob is written; the pipeline buffers it
 * after all when the operation turns out not to stream. A signed request announcing more body than an unsigned one
 * may send is vouched for from its head first (`Gate.vouch`): credentials that fail without the body are refused
 * before it is read. A body that sends nothing for `bodyIdleTimeoutMs` is refused (S3's RequestTimeout). A
 * `bodyStream` response is written with backpressure.
 *
 * A request answered before its body was read (a refusal, an S3 error) gets `Connection: close`: its body is not
 * drained; what arrives is discarded for a moment (so the client reads the answer, not a reset) and the socket is
 * closed. Parser failures (headers over 16 KiB, bad framing) are answered in AWS's shapes (transport-errors.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ids } from '../core/ids.js';
import { BodyStream, type WireRequest, type WireResponse } from '../core/wire.js';
import { MAX_BUFFERED_BODY, MAX_STREAMED_BODY, mayBeLarge, refusalError, type Admission, type Gate, type Refusal } from './admission.js';
import { errorWithoutService } from './pipeline.js';
import { looksLikeS3 } from './route.js';
import { transportErrorResponse } from './transport-errors.js';

export interface RequestMeta {
  readonly sourceIp: string;
  readonly secure: boolean;
}

export type WireHandler = (req: WireRequest, meta: RequestMeta) => Promise<WireResponse>;

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  /** What to take of each body; without one, any body up to 64 MiB (tests of the bare server). */
  readonly gate?: Gate;
  /** A request body that sends nothing for this long is refused; 0 turns the check off. Default 20 s (S3's idle limit). */
  readonly bodyIdleTimeoutMs?: number;
}

export const DEFAULT_BODY_IDLE_TIMEOUT_MS = 20_000;
/** How long a refused request's incoming bytes are discarded before its socket is closed. */
const LINGER_MS = 1000;

const OPEN_GATE: Gate = {
  admit: () => ({ kind: 'read', limit: MAX_BUFFERED_BODY, overflow: 'too-large' }),
  refusal: (head, why) => errorWithoutService(head, refusalError(why, false, undefined), ids.requestId()),
};

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

/** Thrown while reading a body the server will not take. */
class BodyRefused extends Error {
  constructor(readonly why: Refusal) {
    super(why);
  }
}

function lengthHeader(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads a whole body of at most `limit` bytes, each chunk within `idleMs` of the last (0: no idle limit). */
function readBody(req: IncomingMessage, limit: number, overflow: Refusal, idleMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      if (timer !== undefined) clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const refuse = (why: Refusal) => {
      stop();
      req.pause();
      reject(new BodyRefused(why));
    };
    const timer = idleMs > 0 ? setTimeout(() => refuse('timeout'), idleMs) : undefined;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) return refuse(overflow);
      chunks.push(c);
      timer?.refresh();
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (e: Error) => {
      stop();
      reject(e);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** A streamed body's chunks, each within `idleMs` of the last; a silence is S3's RequestTimeout, thrown to the reader. */
function idleLimited(it: AsyncIterator<Uint8Array>, idleMs: number): AsyncIterator<Uint8Array> {
  if (idleMs <= 0) return it;
  return {
    next: () => {
      let timer: NodeJS.Timeout | undefined;
      const silence = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(refusalError('timeout', true, undefined)), idleMs);
      });
      return Promise.race([it.next(), silence]).finally(() => clearTimeout(timer));
    },
    return: (value?: unknown) => it.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined }),
  };
}

/**
 * Answers a request whose body is not (all) read with `Connection: close`. Node closes the socket once the answer is
 * out when the body is complete; otherwise the answer goes out now, arriving bytes are discarded for LINGER_MS (a
 * client still sending then reads the answer rather than a reset) and the connection is cut.
 */
function refuse(req: IncomingMessage, res: ServerResponse, r: WireResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  res.writeHead(r.status, { ...r.headers, date: new Date().toUTCString(), connection: 'close', 'content-length': body.length });
  if (req.complete) {
    res.end(body);
    return;
  }
  res.write(body);
  const cut = setTimeout(() => {
    res.end();
    req.socket.destroy();
  }, LINGER_MS);
  req.once('end', () => {
    clearTimeout(cut);
    res.end();
  });
  res.once('close', () => clearTimeout(cut));
  req.resume();
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

export async function startServer(handler: WireHandler, opts: ServerOptions): Promise<RunningServer> {
  const gate = opts.gate ?? OPEN_GATE;
  const idleMs = opts.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;

  function serve(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    const head = toWireRequest(req, EMPTY);
    const admission: Admission = gate.admit(head);
    if (admission.kind === 'refuse') return refuse(req, res, admission.response);
    const method = req.method ?? 'GET';
    const streamed = method === 'PUT' && looksLikeS3(head);
    if (streamed) {
      const size = lengthHeader(head.headers['x-amz-decoded-content-length'] ?? head.headers['content-length']);
      if (size !== undefined && size > MAX_STREAMED_BODY) return refuse(req, res, gate.refusal(head, 'too-large', size));
    } else {
      const size = lengthHeader(head.headers['content-length']);
      if (size !== undefined && size > admission.limit) return refuse(req, res, gate.refusal(head, admission.overflow, size));
    }
    const vouched = mayBeLarge(head, admission) ? gate.vouch?.(head) : undefined;
    if (vouched === undefined) return take(req, res, head, admission, streamed, expectsContinue);
    if (!(vouched instanceof Promise)) return refuse(req, res, vouched);
    vouched.then(
      (r) => (r === undefined ? take(req, res, head, admission, streamed, expectsContinue) : refuse(req, res, r)),
      () => refuse(req, res, gate.refusal(head, 'unauthenticated')),
    );
  }

  /** Reads (or streams) the body of an admitted request and answers it. */
  function take(req: IncomingMessage, res: ServerResponse, head: WireRequest, admission: Admission & { kind: 'read' }, streamed: boolean, expectsContinue: boolean): void {
    const method = req.method ?? 'GET';
    if (expectsContinue) res.writeContinue();
    const meta = { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', secure: false };
    const pending = streamed
      ? // A consumer that stops early must not destroy the socket: the error response still has to go out.
        handler({ ...head, bodyStream: new BodyStream(() => idleLimited(req.iterator({ destroyOnReturn: false }), idleMs)) }, meta)
      : readBody(req, admission.limit, admission.overflow, idleMs).then((body) => handler({ ...head, body }, meta));
    pending
      .then((r) => (req.complete || r.bodyStream ? write(res, r, method) : refuse(req, res, r)))
      .catch((e: unknown) => {
        if (e instanceof BodyRefused) return refuse(req, res, gate.refusal(head, e.why));
        // The chain turns every error into an AWS-shaped response; reaching here means the socket failed.
        if (!res.headersSent) void write(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: String((e as Error).message ?? e) }, 'GET');
      });
  }

  const server = createServer({ keepAlive: true }, (req, res) => serve(req, res, false));
  // Answered here rather than by Node, so a refused request is never told to send its body.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => serve(req, res, true));
  server.on('clientError', (err: Error, socket: Socket) => {
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    const answer = socket.writable && !inFlight?.headersSent ? transportErrorResponse(err) : undefined;
    if (answer === undefined) socket.destroy();
    else socket.end(answer);
  });
  server.keepAliveTimeout = 65_000;
  // Node ends any request still being received after 5 minutes; a multi-gigabyte S3 upload on a slow link takes
  // longer. Headers must arrive within headersTimeout (60 s) and each piece of body within bodyIdleTimeoutMs:
  // those guard against slow clients.
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
