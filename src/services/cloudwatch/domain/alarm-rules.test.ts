/**
 * Alarm evaluation, pure: the newest EvaluationPeriods values against the threshold, M out of N with
 * DatapointsToAlarm, every comparison operator at its boundary, and each TreatMissingData mode.
 */
import { describe, expect, it } from 'vitest';
import { breaches, evaluateAlarm, type AlarmRule } from './alarm-state.js';

const rule = (over: Partial<AlarmRule> = {}): AlarmRule => ({ threshold: 5, comparison: 'GreaterThanThreshold', evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'missing', ...over });
const U = undefined;

describe('comparisons', () => {
  it('each operator at, above and below the threshold', () => {
    const at = (op: string) => [4, 5, 6].map((v) => breaches(v, op, 5));
    expect(at('GreaterThanThreshold')).toEqual([false, false, true]);
    expect(at('GreaterThanOrEqualToThreshold')).toEqual([false, true, true]);
    expect(at('LessThanThreshold')).toEqual([true, false, false]);
    expect(at('LessThanOrEqualToThreshold')).toEqual([true, true, false]);
    expect(at('Sideways')).toEqual([false, false, false]);
  });
});

describe('OK / ALARM / INSUFFICIENT_DATA', () => {
  it('goes to ALARM when every evaluated period breaches, saying which datapoints did', () => {
    const e = evaluateAlarm(rule(), [6, 7, 8], 'OK');
    expect(e.state).toBe('ALARM');
    expect(e.breaching).toBe(3);
    expect(e.reason).toBe('Threshold Crossed: 3 out of the last 3 datapoints [8.0, 7.0, 6.0] were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition).');
  });

  it('stays OK when one period of three does not breach (3 out of 3 needed)', () => {
    const e = evaluateAlarm(rule(), [6, 4, 8], 'OK');
    expect(e.state).toBe('OK');
    expect(e.reason).toBe('Threshold Crossed: 1 out of the last 3 datapoints [4.0] was not greater than the threshold (5.0) (minimum 1 datapoint for ALARM -> OK transition).');
  });

  it('goes back to OK from ALARM when the data stops breaching', () => {
    expect(evaluateAlarm(rule(), [1, 2, 3], 'ALARM').state).toBe('OK');
  });

  it('is INSUFFICIENT_DATA with no datapoint at all (missing)', () => {
    const e = evaluateAlarm(rule(), [U, U, U], 'OK');
    expect(e.state).toBe('INSUFFICIENT_DATA');
    expect(e.reason).toBe('Insufficient Data: 3 datapoints were unknown.');
    expect(evaluateAlarm(rule({ evaluationPeriods: 1, datapointsToAlarm: 1 }), [U], 'ALARM').reason).toBe('Insufficient Data: 1 datapoint was unknown.');
  });
});

describe('DatapointsToAlarm (M out of N)', () => {
  it('2 out of 3: two breaching periods anywhere in the window alarm, one does not', () => {
    const r = rule({ datapointsToAlarm: 2 });
    expect(evaluateAlarm(r, [6, 1, 9], 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(r, [9, 9, 1], 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(r, [1, 1, 9], 'OK').state).toBe('OK');
    expect(evaluateAlarm(r, [6, 1, 9], 'OK').reason).toContain('(minimum 2 datapoints for OK -> ALARM transition)');
  });

  it('1 out of 5: a single breach alarms', () => {
    expect(evaluateAlarm(rule({ evaluationPeriods: 5, datapointsToAlarm: 1 }), [1, 1, 1, 1, 6], 'OK')).toMatchObject({ state: 'ALARM', breaching: 1 });
  });
});

describe('TreatMissingData', () => {
  const partly = [6, U, 7];
  it('missing: missing periods count for nothing — two breaches of three needed, two present', () => {
    expect(evaluateAlarm(rule({ datapointsToAlarm: 2 }), partly, 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(rule({ datapointsToAlarm: 3 }), partly, 'OK').state).toBe('OK');
    expect(evaluateAlarm(rule(), [U, U, U], 'ALARM').state).toBe('INSUFFICIENT_DATA');
  });

  it('breaching: a missing period counts as breaching', () => {
    expect(evaluateAlarm(rule({ treatMissingData: 'breaching' }), partly, 'OK')).toMatchObject({ state: 'ALARM', breaching: 3 });
    expect(evaluateAlarm(rule({ treatMissingData: 'breaching' }), [U, U, U], 'OK')).toMatchObject({ state: 'ALARM', breaching: 3 });
    expect(evaluateAlarm(rule({ treatMissingData: 'breaching' }), [1, U, U], 'OK').state).toBe('OK');
  });

  it('notBreaching: a missing period counts as not breaching, and no data at all is OK', () => {
    expect(evaluateAlarm(rule({ treatMissingData: 'notBreaching' }), partly, 'ALARM').state).toBe('OK');
    expect(evaluateAlarm(rule({ treatMissingData: 'notBreaching' }), [U, U, U], 'ALARM').state).toBe('OK');
    expect(evaluateAlarm(rule({ treatMissingData: 'notBreaching', datapointsToAlarm: 2 }), partly, 'OK').state).toBe('ALARM');
  });

  it('ignore: with no data the alarm keeps its state, whatever it is', () => {
    for (const current of ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const) {
      const e = evaluateAlarm(rule({ treatMissingData: 'ignore' }), [U, U, U], current);
      expect(e.state).toBe(current);
      expect(e.reason).toBe('Missing data ignored: the alarm keeps its state.');
    }
    // With data, ignore evaluates what is there.
    expect(evaluateAlarm(rule({ treatMissingData: 'ignore', datapointsToAlarm: 2 }), partly, 'OK').state).toBe('ALARM');
  });
});
