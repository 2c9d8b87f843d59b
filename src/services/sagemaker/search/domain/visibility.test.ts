import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../../core/errors.js';
import { checkVisibilityConditions, visibilityContext, visibilityFilter } from './visibility.js';

const DOMAIN_KEY = 'Tags.sagemaker:domain-arn';
const D1 = 'arn:aws:sagemaker:us-east-1:444444444444:domain/d-1';
const D2 = 'arn:aws:sagemaker:us-east-1:444444444444:domain/d-2';

describe('visibilityFilter', () => {
  const visible = visibilityFilter([
    { Key: DOMAIN_KEY, Value: D1 },
    { Key: DOMAIN_KEY, Value: D2 },
    { Key: 'Tags.team', Value: 'risk' },
  ]);
  it('keeps resources whose tag has one of the values given for its key', () => {
    expect(visible([{ Key: 'sagemaker:domain-arn', Value: D1 }])).toBe(true);
    expect(visible([{ Key: 'sagemaker:domain-arn', Value: D2 }, { Key: 'team', Value: 'risk' }])).toBe(true);
  });
  it('drops resources whose tag has another value', () => {
    expect(visible([{ Key: 'sagemaker:domain-arn', Value: 'arn:other' }])).toBe(false);
    expect(visible([{ Key: 'sagemaker:domain-arn', Value: D1 }, { Key: 'team', Value: 'fraud' }])).toBe(false);
  });
  it('keeps resources without the tag', () => {
    expect(visible([])).toBe(true);
    expect(visible([{ Key: 'owner', Value: 'x' }])).toBe(true);
  });
  it('keeps everything without conditions', () => {
    expect(visibilityFilter(undefined)([{ Key: 'team', Value: 'x' }])).toBe(true);
  });
});

describe('checkVisibilityConditions', () => {
  it('requires keys of the form Tags.<key>', () => {
    expect(() => checkVisibilityConditions([{ Key: 'Tags.team', Value: 'x' }])).not.toThrow();
    expect(() => checkVisibilityConditions([{ Key: 'team', Value: 'x' }])).toThrow(AwsError);
    expect(() => checkVisibilityConditions([{ Key: 'Tags.', Value: 'x' }])).toThrow(AwsError);
    expect(() => checkVisibilityConditions([{ Value: 'x' }])).toThrow(AwsError);
  });
});

describe('visibilityContext', () => {
  it('fills sagemaker:SearchVisibilityCondition/Tags.<key> (and the guide’s /EqualsIfExists spelling)', () => {
    expect(visibilityContext([{ Key: 'Tags.team', Value: 'risk' }])).toEqual({
      'sagemaker:SearchVisibilityCondition/Tags.team': 'risk',
      'sagemaker:SearchVisibilityCondition/Tags.team/EqualsIfExists': 'risk',
    });
    expect(visibilityContext([{ Key: DOMAIN_KEY, Value: D1 }, { Key: DOMAIN_KEY, Value: D2 }])).toEqual({
      [`sagemaker:SearchVisibilityCondition/${DOMAIN_KEY}`]: [D1, D2],
      [`sagemaker:SearchVisibilityCondition/${DOMAIN_KEY}/EqualsIfExists`]: [D1, D2],
    });
    expect(visibilityContext(undefined)).toEqual({});
  });
});
