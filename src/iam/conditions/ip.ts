/**
 * `IpAddress` / `NotIpAddress` with IPv4 and IPv6 CIDR blocks. A bare address is a single host (/32, /128).
 * An IPv4 block never matches an IPv6 request address and vice versa. Blocks are parsed once at compile time;
 * a policy value that is not a CIDR never matches.
 */
import type { OperatorSpec } from './types.js';

interface Block {
  readonly v6: boolean;
  readonly network: bigint;
  readonly mask: bigint;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const b = Number(p);
    if (b > 255) return undefined;
    n = (n << 8n) | BigInt(b);
  }
  return n;
}

function parseV6(text: string): bigint | undefined {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) becomes two hextets.
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    const v4 = parseV4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

export function parseAddress(text: string): { v6: boolean; value: bigint } | undefined {
  const s = text.trim();
  if (s.includes(':')) {
    const value = parseV6(s);
    return value === undefined ? undefined : { v6: true, value };
  }
  const value = parseV4(s);
  return value === undefined ? undefined : { v6: false, value };
}

export function parseCidr(text: string): Block | undefined {
  const [addr, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const a = parseAddress(addr);
  if (!a) return undefined;
  const bits = a.v6 ? 128 : 32;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  const all = (1n << BigInt(bits)) - 1n;
  const mask = prefix === 0 ? 0n : (all << BigInt(bits - prefix)) & all;
  return { v6: a.v6, network: a.value & mask, mask };
}

function ip(negated: boolean): OperatorSpec {
  return {
    negated,
    variables: false,
    compile(values) {
      const blocks = values.map(parseCidr).filter((b): b is Block => b !== undefined);
      return (rv) => {
        const a = parseAddress(rv);
        if (!a) return undefined;
        for (const b of blocks) if (b.v6 === a.v6 && (a.value & b.mask) === b.network) return true;
        return false;
      };
    },
  };
}

export const IpOperators: Readonly<Record<string, OperatorSpec>> = {
  IpAddress: ip(false),
  NotIpAddress: ip(true),
};
