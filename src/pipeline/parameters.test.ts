import { describe, expect, it } from 'vitest';
import { PipelineDefinitionError, parameterStrings, resolveParameters, type ParameterDef } from './index.js';

const defs: ParameterDef[] = [
  { Name: 'InputDataUrl', Type: 'String', DefaultValue: 's3://b/raw.csv' },
  { Name: 'InstanceType', Type: 'String', DefaultValue: 'ml.m5.xlarge', EnumValues: ['ml.m5.xlarge', 'ml.m5.2xlarge'] },
  { Name: 'Epochs', Type: 'Integer', DefaultValue: 10 },
  { Name: 'MaxRmse', Type: 'Float', DefaultValue: 0.35 },
  { Name: 'Shuffle', Type: 'Boolean', DefaultValue: false },
  { Name: 'ModelGroup', Type: 'String' },
];

function errorOf(given: Array<{ Name: string; Value: string }>): string {
  try {
    resolveParameters(defs, given);
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineDefinitionError);
    return (e as Error).message;
  }
  throw new Error('the parameters were accepted');
}

describe('resolveParameters', () => {
  it('fills defaults and keeps the definition’s order', () => {
    const v = resolveParameters(defs, [{ Name: 'ModelGroup', Value: 'churn' }]);
    expect(v).toEqual({ InputDataUrl: 's3://b/raw.csv', InstanceType: 'ml.m5.xlarge', Epochs: 10, MaxRmse: 0.35, Shuffle: false, ModelGroup: 'churn' });
    expect(Object.keys(v)).toEqual(defs.map((d) => d.Name));
  });

  it('types the strings the SDK sends (str(value))', () => {
    const v = resolveParameters(defs, [
      { Name: 'Epochs', Value: '25' },
      { Name: 'MaxRmse', Value: '0.5' },
      { Name: 'Shuffle', Value: 'True' },
      { Name: 'ModelGroup', Value: 'g' },
    ]);
    expect(v.Epochs).toBe(25);
    expect(v.MaxRmse).toBe(0.5);
    expect(v.Shuffle).toBe(true);
    const more = (Name: string, Value: string) => resolveParameters(defs, [{ Name, Value }, { Name: 'ModelGroup', Value: 'g' }])[Name];
    expect(more('Shuffle', 'true')).toBe(true);
    expect(more('Shuffle', 'FALSE')).toBe(false);
    expect(more('MaxRmse', '10')).toBe(10);
    expect(more('MaxRmse', '1e-3')).toBe(0.001);
    expect(more('MaxRmse', '-.5')).toBe(-0.5);
    expect(more('Epochs', '-3')).toBe(-3);
    expect(more('InstanceType', 'ml.m5.2xlarge')).toBe('ml.m5.2xlarge');
    // Strings are taken as given, spaces included.
    expect(more('InputDataUrl', ' s3://b/x ')).toBe(' s3://b/x ');
  });

  it('refuses values of the wrong type', () => {
    const g = (Name: string, Value: string) => errorOf([{ Name, Value }, { Name: 'ModelGroup', Value: 'g' }]);
    expect(g('Epochs', '1.5')).toBe("Value '1.5' of parameter 'Epochs' is not a valid Integer.");
    expect(g('Epochs', 'ten')).toBe("Value 'ten' of parameter 'Epochs' is not a valid Integer.");
    expect(g('Epochs', '99999999999999999999')).toBe("Value '99999999999999999999' of parameter 'Epochs' is not a valid Integer.");
    expect(g('MaxRmse', 'NaN')).toBe("Value 'NaN' of parameter 'MaxRmse' is not a valid Float.");
    expect(g('MaxRmse', '0.5x')).toBe("Value '0.5x' of parameter 'MaxRmse' is not a valid Float.");
    expect(g('Shuffle', 'yes')).toBe("Value 'yes' of parameter 'Shuffle' is not a valid Boolean.");
    expect(g('Shuffle', '1')).toBe("Value '1' of parameter 'Shuffle' is not a valid Boolean.");
  });

  it('enforces EnumValues', () => {
    expect(errorOf([{ Name: 'InstanceType', Value: 'ml.p3.2xlarge' }, { Name: 'ModelGroup', Value: 'g' }])).toBe(
      "Value 'ml.p3.2xlarge' of parameter 'InstanceType' is not one of its EnumValues [ml.m5.xlarge, ml.m5.2xlarge].",
    );
  });

  it('refuses unknown names, duplicates, empty values and a missing required value', () => {
    expect(errorOf([{ Name: 'Nope', Value: 'x' }])).toBe(
      "Parameter 'Nope' is not defined in the pipeline definition; its parameters are [InputDataUrl, InstanceType, Epochs, MaxRmse, Shuffle, ModelGroup].",
    );
    expect(errorOf([{ Name: 'ModelGroup', Value: 'a' }, { Name: 'ModelGroup', Value: 'b' }])).toBe("Parameter 'ModelGroup' is given more than once.");
    expect(errorOf([{ Name: 'ModelGroup', Value: '' }])).toBe('[string "" is too short (length: 0, required minimum: 1)]');
    expect(errorOf([])).toBe("Parameter 'ModelGroup' has no default value, so StartPipelineExecution must give it a value.");
  });
});

describe('parameterStrings', () => {
  it('renders the resolved values for ListPipelineParametersForExecution, in the definition’s order', () => {
    const v = resolveParameters(defs, [{ Name: 'ModelGroup', Value: 'churn' }, { Name: 'Shuffle', Value: 'True' }]);
    expect(parameterStrings(v, defs)).toEqual([
      { Name: 'InputDataUrl', Value: 's3://b/raw.csv' },
      { Name: 'InstanceType', Value: 'ml.m5.xlarge' },
      { Name: 'Epochs', Value: '10' },
      { Name: 'MaxRmse', Value: '0.35' },
      { Name: 'Shuffle', Value: 'true' },
      { Name: 'ModelGroup', Value: 'churn' },
    ]);
  });

  it('writes Floats with a fraction and Booleans in lower case', () => {
    const d: ParameterDef[] = [
      { Name: 'F', Type: 'Float' },
      { Name: 'G', Type: 'Float' },
      { Name: 'I', Type: 'Integer' },
      { Name: 'B', Type: 'Boolean' },
    ];
    expect(parameterStrings({ F: 1, G: 1e-7, I: -4, B: false }, d).map((p) => p.Value)).toEqual(['1.0', '1e-7', '-4', 'false']);
  });
});
