/**
 * The ceiling: a bare `node:http` server (keep-alive) that reads the request body and answers every request with
 * the same small XML body (a GetCallerIdentity-sized response). Measured with the same generator as mlzone.
 *
 *   node bench/ceiling.ts --port 0     (prints its URL on stdout when listening; loopback only)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const BODY = Buffer.from(
  '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
    '<Arn>arn:aws:iam::444444444444:user/ds1-scientist</Arn><UserId>AIDAEXAMPLEEXAMPLE01</UserId><Account>444444444444</Account>' +
    '</GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
);

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const server = createServer({ keepAlive: true }, (req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/xml', 'content-length': BODY.length, 'x-amzn-requestid': '00000000-0000-4000-8000-000000000000' });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
