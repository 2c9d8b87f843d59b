/**
 * botocore (boto3, the AWS CLI) reads the event stream the restJson codec writes: its response parser wraps
 * the body in `botocore.eventstream.EventStream`, fed here chunk by chunk as our stream produced them.
 * Skipped when python3 with botocore is not installed.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../core/errors.js';
import { createModelRegistry } from '../../spec/load.js';
import { restJsonCodec } from '../rest-json/codec.js';

const hasBotocore = spawnSync('python3', ['-c', 'import botocore'], { encoding: 'utf8' }).status === 0;

/** Parses {status, headers, chunks_b64} with botocore's rest-json parser; prints the events (or the error) as JSON. */
const SCRIPT = String.raw`
import base64, json, sys
import botocore.session
from botocore import parsers
from botocore.exceptions import EventStreamError
from botocore.awsrequest import HeadersDict

task = json.load(sys.stdin)
op = botocore.session.get_session().get_service_model("sagemaker-runtime").operation_model(task["operation"])
chunks = [base64.b64decode(c) for c in task["chunks_b64"]]

class Raw:
    def stream(self):
        yield from chunks

parser = parsers.create_parser("rest-json")
parsed = parser.parse(
    {"status_code": task["status"], "headers": HeadersDict(task["headers"]), "body": Raw(), "context": {"operation_name": op.name}},
    op.output_shape,
)
events, error = [], None
try:
    for ev in parsed["Body"]:
        events.append({k: {m: (base64.b64encode(v).decode() if isinstance(v, bytes) else v) for m, v in x.items()} for k, x in ev.items()})
except EventStreamError as e:
    error = e.response["Error"]
parsed.pop("Body")
parsed.pop("ResponseMetadata", None)
json.dump({"output": parsed, "events": events, "error": error}, sys.stdout)
`;

async function viaBotocore(output: Record<string, unknown>): Promise<any> {
  const model = createModelRegistry().get('sagemaker-runtime');
  const res = restJsonCodec.serialize(model, model.operations.InvokeEndpointWithResponseStream, output, 'rid');
  const chunks: string[] = [];
  for await (const c of res.bodyStream!) chunks.push(Buffer.from(c).toString('base64'));
  const task = { operation: 'InvokeEndpointWithResponseStream', status: res.status, headers: res.headers, chunks_b64: chunks };
  const r = spawnSync('python3', ['-c', SCRIPT], { input: JSON.stringify(task), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe.skipIf(!hasBotocore)('event stream read by botocore', () => {
  it('PayloadPart bytes in order, response headers, then a ModelStreamError', async () => {
    const got = await viaBotocore({
      Body: [
        { PayloadPart: { Bytes: Buffer.from('{"t":"a"}') } },
        { PayloadPart: { Bytes: Buffer.from('{"t":"b"}') } },
        { ModelStreamError: { Message: 'Model invocation timed out', ErrorCode: 'ModelInvocationTimeExceeded' } },
      ],
      ContentType: 'application/jsonlines',
      InvokedProductionVariant: 'AllTraffic',
    });
    expect(got.output).toEqual({ ContentType: 'application/jsonlines', InvokedProductionVariant: 'AllTraffic' });
    expect(got.events).toEqual([{ PayloadPart: { Bytes: b64('{"t":"a"}') } }, { PayloadPart: { Bytes: b64('{"t":"b"}') } }]);
    expect(got.error).toEqual({ Code: 'ModelStreamError', Message: 'Model invocation timed out' });
  });

  it('an unmodeled error message and a clean end', async () => {
    async function* failing() {
      yield { PayloadPart: { Bytes: 'x' } };
      throw new AwsError('ThrottlingException', 'Rate exceeded');
    }
    const failed = await viaBotocore({ Body: failing() });
    expect(failed.events).toEqual([{ PayloadPart: { Bytes: b64('x') } }]);
    expect(failed.error).toEqual({ Code: 'ThrottlingException', Message: 'Rate exceeded' });

    const clean = await viaBotocore({ Body: [{ PayloadPart: { Bytes: 'only' } }] });
    expect(clean.events).toEqual([{ PayloadPart: { Bytes: b64('only') } }]);
    expect(clean.error).toBeNull();
  });
});
