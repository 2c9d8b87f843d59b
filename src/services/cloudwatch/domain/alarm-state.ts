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

/** A number as CloudWatch writes it in a state reason (Java's double: `3.0`, `10.25`). */
export function reasonNumber(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e7 ? v.toFixed(1) : String(v);
}

/** A period's start as CloudWatch writes it in a state reason: `(dd/MM/yy HH:mm:ss)`, UTC. */
function reasonTime(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(2, 4)} ${d.slice(11, 19)}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `values`: one entry per evaluated period, oldest first, undefined where the period has no datapoint; `at`: each
 * period's start (the reason lists datapoints newest first with their times, as CloudWatch's does, e.g.
 * `Threshold Crossed: 2 out of the last 2 datapoints [10.25 (05/10/20 06:25:00), 10.0 (05/10/20 06:20:00)] were
 * greater than or equal to the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).`).
 */
export function evaluateAlarm(rule: AlarmRule, values: readonly (number | undefined)[], current: StateValue, at?: readonly number[]): Evaluation {
  const known = values.filter((v): v is number => v !== undefined);
  const missing = values.length - known.length;
  let breaching = known.filter((v) => breaches(v, rule.comparison, rule.threshold)).length;
  if (rule.treatMissingData === 'breaching') breaching += missing;
  const word = WORDS[rule.comparison] ?? rule.comparison;
  const threshold = reasonNumber(rule.threshold);
  /** The known datapoints that do (or do not) breach, newest first. */
  const list = (breach: boolean) =>
    values
      .map((v, i) => ({ v, i }))
      .filter((x): x is { v: number; i: number } => x.v !== undefined && breaches(x.v, rule.comparison, rule.threshold) === breach)
      .reverse()
      .map((x) => (at?.[x.i] !== undefined ? `${reasonNumber(x.v)} (${reasonTime(at[x.i]!)})` : reasonNumber(x.v)))
      .join(', ');
  const noData = (treated: string) =>
    `Threshold Crossed: no datapoints were received for ${plural(values.length, 'period')} and ${plural(missing, 'missing datapoint')} ${missing === 1 ? 'was' : 'were'} treated as [${treated}].`;
  if (breaching >= rule.datapointsToAlarm) {
    let reason: string;
    if (known.length === 0) reason = noData('Breaching');
    else if (values.length === 1) reason = `Threshold Crossed: 1 datapoint [${list(true)}] was ${word} the threshold (${threshold}).`;
    else {
      reason = `Threshold Crossed: ${breaching} out of the last ${values.length} datapoints [${list(true)}] ${breaching === 1 ? 'was' : 'were'} ${word} the threshold (${threshold}) (minimum ${plural(rule.datapointsToAlarm, 'datapoint')} for OK -> ALARM transition).`;
    }
    return { state: 'ALARM', breaching, recent: values, reason };
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
  const fine = known.length - (breaching - (rule.treatMissingData === 'breaching' ? missing : 0));
  return {
    state: 'OK',
    breaching,
    recent: values,
    reason:
      known.length === 0
        ? noData('NonBreaching')
        : `Threshold Crossed: ${fine} out of the last ${values.length} datapoints [${list(false)}] ${fine === 1 ? 'was' : 'were'} not ${word} the threshold (${threshold}) (minimum 1 datapoint for ALARM -> OK transition).`,
  };
}
