import { describe, expect, it } from 'vitest';
import { formatStatus } from './status.js';

describe('mlzone status', () => {
  it('prints each endpoint with its variants and instances', () => {
    const text = formatStatus({
      endpoints: [
        {
          accountId: '666666666666',
          region: 'us-east-1',
          name: 'churn',
          variants: [{ name: 'AllTraffic', weight: 1, image: 'img:1', instances: [{ pid: 42, port: 40001, healthy: true, rssBytes: 44 * 1024 * 1024 }, { port: 40002, healthy: false }] }],
        },
      ],
    });
    expect(text.split('\n')).toEqual([
      '666666666666  us-east-1  endpoint/churn',
      '  AllTraffic  weight 1  img:1',
      '    pid 42       port 40001  healthy     44.0 MB',
      '    pid -        port 40002  restarting  -',
    ]);
    expect(formatStatus({ endpoints: [] })).toBe('no endpoint is running');
  });
});
