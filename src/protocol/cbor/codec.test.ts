import { decode, encode } from 'cbor2';
import { AwsError } from '../../core/errors.js';
import { describe, expect, it } from 'vitest';
import { createModelRegistry } from '../../spec/load.js';
import { cborCodec } from './codec.js';

const model = createModelRegistry().get('cloudwatch');
const wire = (op: string, body: unknown, headers: Record<string, string> = { 'smithy-protocol': 'rpc-v2-cbor' }) => ({
  method: 'POST',
  rawPath: `/service/GraniteServiceVersion20100801/operation/${op}`,
  rawQuery: '',
  query: [] as [string, string][],
  headers,
  body: Buffer.from(encode(body)),
});

describe('RPC v2 CBOR codec', () => {
  it('routes by path and reads tag-1 timestamps, floats and NaN as the model types them', () => {
    const req = wire('PutMetricData', { Namespace: 'N', MetricData: [{ MetricName: 'm', Value: NaN, Timestamp: new Date(1_700_000_000_500), Values: [1.5, 2] }] });
    const op = cborCodec.resolveOperation(req, model)!;
    expect(op.name).toBe('PutMetricData');
    const input = cborCodec.parse(req, model, op) as any;
    expect(input.MetricData[0].Timestamp).toEqual(new Date(1_700_000_000_500));
    expect(input.MetricData[0].Value).toBeNaN();
    expect(input.MetricData[0].Values).toEqual([1.5, 2]);
  });

  it('accepts an epoch-seconds number for a timestamp and refuses a wrong type with SerializationException', () => {
    const op = model.operations.GetMetricStatistics;
    const ok = cborCodec.parse(wire('GetMetricStatistics', { Namespace: 'N', MetricName: 'm', StartTime: 1_700_000_000, EndTime: 1_700_000_060, Period: 60 }), model, op) as any;
    expect(ok.StartTime).toEqual(new Date(1_700_000_000_000));
    expect(() => cborCodec.parse(wire('GetMetricStatistics', { Namespace: 7 }), model, op)).toThrow(expect.objectContaining({ code: 'SerializationException' }));
  });

  it('does not resolve another service path or an unknown operation', () => {
    expect(cborCodec.resolveOperation({ ...wire('ListMetrics', {}), rawPath: '/service/Other/operation/ListMetrics' }, model)).toBeUndefined();
    expect(cborCodec.resolveOperation(wire('Nope', {}), model)).toBeUndefined();
  });

  it('writes outputs with tag-1 timestamps and errors with __type and the query error header', () => {
    const op = model.operations.GetMetricData;
    const res = cborCodec.serialize(model, op, { MetricDataResults: [{ Id: 'a', Timestamps: [new Date(60_000)], Values: [1] }] }, 'rid');
    expect(res.headers).toMatchObject({ 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' });
    const body = res.body as Buffer;
    expect(body.includes(Buffer.from([0xc1]))).toBe(true);
    expect(decode(body)).toEqual({ MetricDataResults: [{ Id: 'a', Timestamps: [new Date(60_000)], Values: [1] }] });
    const err = cborCodec.serializeError(model, op, new AwsError('InvalidParameterValue', 'bad', { status: 400 }), 'rid');
    expect(err.status).toBe(400);
    expect(err.headers['x-amzn-query-error']).toBe('InvalidParameterValue;Sender');
    expect(decode(err.body as Buffer)).toMatchObject({ __type: 'InvalidParameterValueException', message: 'bad' });
  });
});
