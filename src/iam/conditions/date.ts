/**
 * Date operators. Policy values are W3C ISO 8601 dates/times or epoch seconds; they are parsed at write time
 * and a value AWS's parser refuses fails with "The policy failed legacy parsing" (texts recorded by moto against
 * AWS: bad month/day/hour ranges, a one-digit zone offset, more than nine fraction digits, epoch overflow).
 * Request values (`aws:CurrentTime`, `aws:EpochTime`, `aws:TokenIssueTime`) may be either form too.
 */
import { PolicyError, PolicyMessages } from '../policy-error.js';
import type { OperatorSpec, ValuePredicate } from './types.js';

const ISO =
  /^(-?\d{1,9})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[tT](?:(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?)?([zZ]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EPOCH = /^\d+$/;
const INT64_MAX = 9223372036854775807n;

/** Milliseconds since epoch, or undefined for text AWS would not accept as a date. */
export function parseDate(text: string): number | undefined {
  const s = text.trim();
  if (EPOCH.test(s)) {
    if (BigInt(s) > INT64_MAX) return undefined;
    return Number(s) * 1000;
  }
  const m = ISO.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (year < -292275054 || year > 292278993) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'z' && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zh = Number(digits.slice(0, 2));
    const zm = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (zh > 23 || zm > 59) return undefined;
    offsetMinutes = sign * (zh * 60 + zm);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime() + fraction - offsetMinutes * 60_000;
}

type Cmp = (requestValue: number, policyValue: number) => boolean;

function date(cmp: Cmp, negated: boolean): OperatorSpec {
  return {
    negated,
    variables: false,
    compile(values): ValuePredicate {
      const instants = values.map((v) => {
        const t = parseDate(v);
        if (t === undefined) throw new PolicyError(PolicyMessages.legacy);
        return t;
      });
      return (rv) => {
        const t = parseDate(rv);
        if (t === undefined) return undefined;
        for (const p of instants) if (cmp(t, p)) return true;
        return false;
      };
    },
  };
}

export const DateOperators: Readonly<Record<string, OperatorSpec>> = {
  DateEquals: date((a, b) => a === b, false),
  DateNotEquals: date((a, b) => a === b, true),
  DateLessThan: date((a, b) => a < b, false),
  DateLessThanEquals: date((a, b) => a <= b, false),
  DateGreaterThan: date((a, b) => a > b, false),
  DateGreaterThanEquals: date((a, b) => a >= b, false),
};
