/**
 * Metric alarm evaluation: the newest EvaluationPeriods period values against the threshold, an alarm when at
 * least DatapointsToAlarm of them breach; missing periods count as TreatMissingData says (`missing` and `ignore`
 * leave them out; `breaching`/`notBreaching` count them as such). With no data at all, `missing` gives
 * INSUFFICIENT_DATA and `ignore` keeps the current state.
 */
export type StateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmRule {
  readonly threshold: number;
  readonly comparison: string;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: string;
}

export interface Evaluation {
  readonly state: StateValue;
  readonly reason: string;
  readonly breaching: number;
  readonly recent: readonly (number | undefined)[];
}

const WORDS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function breaches(v: number, comparison: string, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return v >= threshold;
    case 'GreaterThanThreshold':
      return v > threshold;
    case 'LessThanThreshold':
      return v < threshold;
    case 'LessThanOrEqualToThreshold':
      return v <= threshold;
    default:
      return false;
  }
}

/** `values`: one entry per evaluated period, oldest first, undefined where the period has no datapoint. */
export function evaluateAlarm(rule: AlarmRule, values: readonly (number | undefined)[], current: StateValue): Evaluation {
  const known = values.filter((v): v is number => v !== undefined);
  const missing = values.length - known.length;
  let breaching = known.filter((v) => breaches(v, rule.comparison, rule.threshold)).length;
  if (rule.treatMissingData === 'breaching') breaching += missing;
  const word = WORDS[rule.comparison] ?? rule.comparison;
  const list = known.map((v) => String(v)).join(', ');
  if (breaching >= rule.datapointsToAlarm) {
    return {
      state: 'ALARM',
      breaching,
      recent: values,
      reason: `Threshold Crossed: ${breaching} out of the last ${values.length} datapoints [${list}] ${breaching === 1 ? 'was' : 'were'} ${word} the threshold (${rule.threshold}) (minimum ${rule.datapointsToAlarm} datapoint${rule.datapointsToAlarm === 1 ? '' : 's'} for OK -> ALARM transition).`,
    };
  }
  if (known.length === 0 && rule.treatMissingData !== 'breaching' && rule.treatMissingData !== 'notBreaching') {
    if (rule.treatMissingData === 'ignore') return { state: current, breaching, recent: values, reason: 'Missing data ignored: the alarm keeps its state.' };
    return {
      state: 'INSUFFICIENT_DATA',
      breaching,
      recent: values,
      reason: `Insufficient Data: ${values.length} datapoint${values.length === 1 ? ' was' : 's were'} unknown.`,
    };
  }
  return {
    state: 'OK',
    breaching,
    recent: values,
    reason: `Threshold Crossed: ${known.length - (breaching - (rule.treatMissingData === 'breaching' ? missing : 0))} out of the last ${values.length} datapoints [${list}] ${known.length === 1 ? 'was' : 'were'} not ${word} the threshold (${rule.threshold}) (minimum ${rule.datapointsToAlarm} datapoint${rule.datapointsToAlarm === 1 ? '' : 's'} for ALARM -> OK transition).`,
  };
}
