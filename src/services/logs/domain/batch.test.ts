import { describe, expect, it } from 'vitest';
import { checkBatch } from './batch.js';

const NOW = Date.UTC(2026, 0, 15);
const H = 3_600_000, D = 24 * H;
const ev = (timestamp: number, message = 'x') => ({ timestamp, message });

describe('PutLogEvents batch rules', () => {
  it('accepts an ordered batch whole', () => {
    const events = [ev(NOW - 2), ev(NOW - 1), ev(NOW)];
    expect(checkBatch(events, NOW, undefined)).toEqual({ accepted: events });
  });

  it('refuses the whole batch when out of order, over 24 hours, too many or too large', () => {
    expect(() => checkBatch([ev(NOW), ev(NOW - 1)], NOW, undefined)).toThrow('Log events in a single PutLogEvents request must be in chronological order.');
    expect(() => checkBatch([ev(NOW - D - 1), ev(NOW)], NOW, undefined)).toThrow('cannot span more than 24 hours');
    expect(() => checkBatch(Array.from({ length: 10_001 }, () => ev(NOW)), NOW, undefined)).toThrow('exceeds the limit of 10000');
    const big = 'a'.repeat(200_000);
    expect(() => checkBatch([ev(NOW, big), ev(NOW, big), ev(NOW, big), ev(NOW, big), ev(NOW, big), ev(NOW, big)], NOW, undefined)).toThrow(
      'Upload too large: 1200156 bytes exceeds limit of 1048576',
    );
    expect(() => checkBatch([ev(NOW, 'a'.repeat(262_144))], NOW, undefined)).toThrow('Log event too large: 262170 bytes exceeds limit of 262144');
  });

  it('counts 26 bytes per event: exactly 1 MiB passes', () => {
    const per = 1_048_576 / 4 - 26;
    expect(checkBatch([ev(NOW, 'a'.repeat(per)), ev(NOW, 'a'.repeat(per)), ev(NOW, 'a'.repeat(per)), ev(NOW, 'a'.repeat(per))], NOW, undefined).accepted).toHaveLength(4);
  });

  it('reports too-old, expired and too-new events and keeps the rest', () => {
    const events = [ev(NOW - 14 * D - 1), ev(NOW - 3 * D - 2 * H), ev(NOW), ev(NOW + 2 * H + 1)];
    // Span > 24h would be refused: check the window rules on two batches.
    expect(checkBatch([ev(NOW - 14 * D - 2), ev(NOW - 14 * D - 1), ev(NOW - 14 * D + 1000)], NOW, undefined)).toEqual({
      accepted: [ev(NOW - 14 * D + 1000)],
      rejected: { tooOldLogEventEndIndex: 1 },
    });
    expect(checkBatch([ev(NOW - 3 * D - 1), ev(NOW - 3 * D + 1)], NOW, 3)).toEqual({ accepted: [ev(NOW - 3 * D + 1)], rejected: { expiredLogEventEndIndex: 0 } });
    expect(checkBatch([ev(NOW), ev(NOW + 2 * H + 1), ev(NOW + 3 * H)], NOW, undefined)).toEqual({ accepted: [ev(NOW)], rejected: { tooNewLogEventStartIndex: 1 } });
    expect(events).toHaveLength(4);
  });
});
