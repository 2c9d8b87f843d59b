/**
 * Alarm evaluation and its state reasons, worded as CloudWatch words them (reasons seen in alarm notifications:
 * `Threshold Crossed: 1 datapoint [1.0 (03/01/24 11:36:00)] was greater than the threshold (0.0).`, `… 2 out of the
 * last 2 datapoints [10.25 (05/10/20 06:25:00), 10.0 (05/10/20 06:20:00)] were greater than or equal to the threshold
 * (10.0) (minimum 2 datapoints for OK -> ALARM transition).`, `… no datapoints were received for 1 period and 1
 * missing datapoint was treated as [NonBreaching].`, `Insufficient Data: 1 datapoint was unknown.`).
 */
import { describe, expect, it } from 'vitest';
import { evaluateAlarm, reasonNumber, type AlarmRule } from './alarm-state.js';

const T0 = Date.UTC(2020, 9, 5, 6, 20);
const MIN5 = 300_000;
const rule = (r: Partial<AlarmRule> = {}): AlarmRule => ({ threshold: 10, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: 'missing', ...r });

describe('evaluateAlarm', () => {
  it('goes to ALARM naming the breaching datapoints newest first with their times', () => {
    const e = evaluateAlarm(rule(), [10, 10.25], 'OK', [T0, T0 + MIN5]);
    expect(e.state).toBe('ALARM');
    expect(e.reason).toBe(
      'Threshold Crossed: 2 out of the last 2 datapoints [10.25 (05/10/20 06:25:00), 10.0 (05/10/20 06:20:00)] were greater than or equal to the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).',
    );
  });

  it('words a one-period alarm as "1 datapoint"', () => {
    const e = evaluateAlarm(rule({ threshold: 0, comparison: 'GreaterThanThreshold', evaluationPeriods: 1, datapointsToAlarm: 1 }), [1], 'OK', [Date.UTC(2024, 0, 3, 11, 36)]);
    expect(e).toMatchObject({ state: 'ALARM', reason: 'Threshold Crossed: 1 datapoint [1.0 (03/01/24 11:36:00)] was greater than the threshold (0.0).' });
  });

  it('goes back to OK on one datapoint that does not breach', () => {
    const e = evaluateAlarm(rule({ threshold: 0.1, comparison: 'GreaterThanThreshold', evaluationPeriods: 3, datapointsToAlarm: 3 }), [undefined, undefined, 0], 'ALARM', [T0, T0 + MIN5, T0 + 2 * MIN5]);
    expect(e).toMatchObject({
      state: 'OK',
      reason: 'Threshold Crossed: 1 out of the last 3 datapoints [0.0 (05/10/20 06:30:00)] was not greater than the threshold (0.1) (minimum 1 datapoint for ALARM -> OK transition).',
    });
  });

  it('treats missing data as TreatMissingData says', () => {
    const one = rule({ evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(evaluateAlarm({ ...one, treatMissingData: 'notBreaching' }, [undefined], 'ALARM', [T0])).toMatchObject({
      state: 'OK',
      reason: 'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].',
    });
    expect(evaluateAlarm({ ...rule(), treatMissingData: 'breaching' }, [undefined, undefined], 'OK', [T0, T0 + MIN5])).toMatchObject({
      state: 'ALARM',
      reason: 'Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [Breaching].',
    });
    expect(evaluateAlarm(one, [undefined], 'OK', [T0])).toMatchObject({ state: 'INSUFFICIENT_DATA', reason: 'Insufficient Data: 1 datapoint was unknown.' });
    expect(evaluateAlarm({ ...one, treatMissingData: 'ignore' }, [undefined], 'ALARM', [T0]).state).toBe('ALARM');
  });
});

describe('reasonNumber', () => {
  it('writes numbers as Java doubles', () => {
    expect([3, 0, -2, 10.25, 3.6266666666666665].map(reasonNumber)).toEqual(['3.0', '0.0', '-2.0', '10.25', '3.6266666666666665']);
  });
});
