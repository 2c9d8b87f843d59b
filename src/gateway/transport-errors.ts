/**
 * Answers for requests Node's HTTP parser refuses before the gateway sees them (`clientError`): headers over
 * 16 KiB, bad framing (Content-Length with Transfer-Encoding, a bad chunk size), headers that never finish.
 * Node's own answer is a bare status line; AWS clients read the error code from the body, so the answer carries
 * one in the shape the bytes received so far imply (JSON target, query form, else S3's XML).
 */

interface ParserError extends Error {
  readonly code?: string;
  /** The bytes the parser was given when it failed (Node sets it on parse errors). */
  readonly rawPacket?: Buffer;
}

interface Refusal {
  readonly status: number;
  readonly reason: string;
  readonly code: string;
  readonly message: string;
}

function refusalOf(code: string | undefined): Refusal | undefined {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', code: 'RequestHeaderSectionTooLarge', message: 'Your request header section exceeds the maximum allowed size.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return {
        status: 408,
        reason: 'Request Timeout',
        code: 'RequestTimeout',
        message: 'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, reason: 'Payload Too Large', code: 'MaxMessageLengthExceeded', message: 'Your request was too big.' };
    case 'ECONNRESET':
    case 'EPIPE':
    case undefined:
      return undefined;
    default:
      // HPE_INVALID_*, HPE_UNEXPECTED_CONTENT_LENGTH, HPE_INVALID_TRANSFER_ENCODING …: the request cannot be framed.
      return code.startsWith('HPE_') ? { status: 400, reason: 'Bad Request', code: 'BadRequest', message: 'An error occurred when parsing the HTTP request.' } : undefined;
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The raw HTTP response for a parser failure, or undefined when the connection is simply gone (reset, closed).
 * The connection is closed after it: the parser cannot find the next request on it.
 */
export function transportErrorResponse(err: ParserError): string | undefined {
  const r = refusalOf(err.code);
  if (!r) return undefined;
  // Only the start of what arrived is looked at: enough for the request line and the first headers.
  const head = err.rawPacket ? err.rawPacket.toString('latin1', 0, Math.min(err.rawPacket.length, 16 * 1024)) : '';
  let type: string;
  let body: string;
  const extra: string[] = [];
  if (/\r\nx-amz-target:/i.test(head) || /\r\ncontent-type:[ \t]*application\/(x-amz-)?json/i.test(head)) {
    type = 'application/x-amz-json-1.1';
    body = JSON.stringify({ __type: r.code, message: r.message });
    extra.push(`x-amzn-errortype: ${r.code}`);
  } else if (/\r\ncontent-type:[ \t]*application\/x-www-form-urlencoded/i.test(head)) {
    type = 'text/xml';
    body = `<ErrorResponse><Error><Type>Sender</Type><Code>${r.code}</Code><Message>${esc(r.message)}</Message></Error></ErrorResponse>`;
  } else {
    type = 'application/xml';
    body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${r.code}</Code><Message>${esc(r.message)}</Message></Error>`;
  }
  return [
    `HTTP/1.1 ${r.status} ${r.reason}`,
    `content-type: ${type}`,
    ...extra,
    `content-length: ${Buffer.byteLength(body)}`,
    `date: ${new Date().toUTCString()}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}
