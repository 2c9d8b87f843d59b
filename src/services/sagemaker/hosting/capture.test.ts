import { describe, expect, it } from 'vitest';
import type { DataCaptureConfig } from '../api.gen.js';
import { captureKey, captureRecord, encodingOf, sampled } from './capture.js';

const config: DataCaptureConfig = { InitialSamplingPercentage: 50, DestinationS3Uri: 's3://b/capture', CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }] };

describe('data capture', () => {
  it('encodes CSV and JSON as text and anything else as base64, as the content-type header lists say', () => {
    expect(encodingOf('text/csv; charset=utf-8', config)).toBe('CSV');
    expect(encodingOf('application/json', config)).toBe('JSON');
    expect(encodingOf('application/x-npy', config)).toBe('BASE64');
    expect(encodingOf('application/jsonlines', { ...config, CaptureContentTypeHeader: { JsonContentTypes: ['application/jsonlines'] } })).toBe('JSON');
  });

  it('writes the record SageMaker writes, with only the modes asked for', () => {
    const x = {
      endpointName: 'e',
      endpointArn: 'arn',
      accountId: '1',
      region: 'us-east-1',
      variant: 'AllTraffic',
      config,
      input: { body: Buffer.from('1,2'), contentType: 'text/csv' },
      output: { body: Buffer.from([0, 1, 2]), contentType: 'application/octet-stream' },
      inferenceId: 'abc',
      at: Date.UTC(2026, 11, 6, 4, 5, 6, 7),
    };
    const r = JSON.parse(captureRecord(x));
    expect(r.captureData).toEqual({
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '1,2', encoding: 'CSV' },
      endpointOutput: { observedContentType: 'application/octet-stream', mode: 'OUTPUT', data: 'AAEC', encoding: 'BASE64' },
    });
    expect(r.eventMetadata).toMatchObject({ inferenceId: 'abc', inferenceTime: '2026-12-06T04:05:06.007Z' });
    expect(r.eventVersion).toBe('0');
    const inputOnly = JSON.parse(captureRecord({ ...x, config: { ...config, CaptureOptions: [{ CaptureMode: 'Input' }] } }));
    expect(Object.keys(inputOnly.captureData)).toEqual(['endpointInput']);
  });

  it('names objects <prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-SSS>-<uuid>.jsonl', () => {
    expect(captureKey('capture/', 'e', 'AllTraffic', Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toMatch(/^capture\/e\/AllTraffic\/2026\/01\/02\/03\/04-05-006-[0-9a-f-]{36}\.jsonl$/);
    expect(captureKey('', 'e', 'v', 0)).toMatch(/^e\/v\/1970\/01\/01\/00\/00-00-000-/);
  });

  it('samples at the initial percentage and not at all when capture is disabled', () => {
    expect(sampled(config, () => 0.49)).toBe(true);
    expect(sampled(config, () => 0.5)).toBe(false);
    expect(sampled({ ...config, EnableCapture: false }, () => 0)).toBe(false);
  });
});
