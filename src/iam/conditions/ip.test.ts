import { describe, expect, it } from 'vitest';
import { parseCidr } from './ip.js';
import { runTable } from './test-table.js';

describe('IP operators', () => {
  runTable([
    { op: 'IpAddress', values: '10.0.0.0/8', value: '10.1.2.3', expected: true, note: 'C17' },
    { op: 'IpAddress', values: '10.0.0.0/8', value: undefined, expected: false, note: 'C17' },
    { op: 'IpAddress', values: '10.0.0.0/8', value: '11.0.0.0', expected: false },
    { op: 'IpAddress', values: '203.0.113.5', value: '203.0.113.5', expected: true, note: 'C19 /32' },
    { op: 'IpAddress', values: '203.0.113.5', value: '203.0.113.4', expected: false },
    { op: 'IpAddress', values: '0.0.0.0/0', value: '8.8.8.8', expected: true },
    { op: 'IpAddress', values: '192.168.1.0/23', value: '192.168.0.1', expected: true, note: 'host bits in the block are ignored' },
    { op: 'IpAddress', values: '2001:db8::/32', value: '2001:db8:ffff::1', expected: true },
    { op: 'IpAddress', values: '2001:db8::/32', value: '2001:0db9::1', expected: false },
    { op: 'IpAddress', values: '::1', value: '0:0:0:0:0:0:0:1', expected: true },
    { op: 'IpAddress', values: '::ffff:10.0.0.0/104', value: '::ffff:10.9.9.9', expected: true, note: 'embedded IPv4' },
    { op: 'IpAddress', values: '0.0.0.0/0', value: '2001:db8::1', expected: false, note: 'families never mix' },
    { op: 'IpAddress', values: '10.0.0.0/8', value: 'not-an-ip', expected: false },
    { op: 'NotIpAddress', values: '10.0.0.0/8', value: undefined, expected: true, note: 'C18' },
    { op: 'NotIpAddress', values: ['10.0.0.0/8', '172.16.0.0/12'], value: '172.20.0.1', expected: false },
    { op: 'NotIpAddress', values: ['10.0.0.0/8', '172.16.0.0/12'], value: '192.0.2.1', expected: true },
    { op: 'IpAddressIfExists', values: '10.0.0.0/8', value: undefined, expected: true },
  ]);

  it('refuses malformed blocks', () => {
    for (const bad of ['10.0.0.0/33', '300.0.0.1', '1.2.3', '2001:db8::/129', '1::2::3', 'x']) expect(parseCidr(bad), bad).toBeUndefined();
  });
});
