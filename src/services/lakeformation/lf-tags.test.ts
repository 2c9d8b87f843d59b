import { describe, expect, it } from 'vitest';
import { columnTags, expressionText, matches, matchingColumns, normaliseExpression, pairs, tableTags, type AssignedTags } from './lf-tags.js';
import { grantKey, normaliseResource, resourceView, validPermissions } from './model.js';

const tagged: AssignedTags = {
  database: { classification: 'public', team: 'sales' },
  table: { team: 'marketing' },
  columns: { ssn: { classification: 'pii' } },
};

describe('LF-Tag inheritance', () => {
  it('a table inherits its database tags unless it overrides a key; a column inherits the table', () => {
    expect(tableTags(tagged)).toEqual({ classification: 'public', team: 'marketing' });
    expect(columnTags(tagged, 'name')).toEqual({ classification: 'public', team: 'marketing' });
    expect(columnTags(tagged, 'ssn')).toEqual({ classification: 'pii', team: 'marketing' });
  });
});

describe('LF-Tag expressions', () => {
  it('AND across keys, OR within a key, * for any value; a missing key never matches', () => {
    const e = normaliseExpression([{ TagKey: 'Team', TagValues: ['marketing', 'finance'] }, { TagKey: 'classification', TagValues: ['PUBLIC'] }]);
    expect(e).toEqual([
      { key: 'classification', values: ['public'] },
      { key: 'team', values: ['finance', 'marketing'] },
    ]);
    expect(expressionText(e)).toBe('{classification=[public]; team=[finance,marketing]}');
    expect(matches(e, tableTags(tagged))).toBe(true);
    expect(matches(e, columnTags(tagged, 'ssn'))).toBe(false);
    expect(matches(e, { classification: 'public' })).toBe(false);
    expect(matches(normaliseExpression([{ TagKey: 'team', TagValues: ['*'] }]), { team: 'anything' })).toBe(true);
    expect(matches(normaliseExpression([{ TagKey: 'team', TagValues: ['*'] }]), {})).toBe(false);
  });

  it('selects the columns whose own tags match', () => {
    const pub = normaliseExpression([{ TagKey: 'classification', TagValues: ['public'] }]);
    expect(matchingColumns(pub, tagged, ['id', 'name', 'ssn'])).toEqual(['id', 'name']);
    const pii = normaliseExpression([{ TagKey: 'classification', TagValues: ['pii'] }]);
    expect(matchingColumns(pii, tagged, ['id', 'name', 'ssn'])).toEqual(['ssn']);
  });

  it('refuses a duplicate key and an empty expression as Lake Formation does', () => {
    expect(() => normaliseExpression([{ TagKey: 'a', TagValues: ['x'] }, { TagKey: 'A', TagValues: ['y'] }])).toThrow('Provided list of tags contains duplicate tag key');
    expect(() => normaliseExpression([])).toThrow(/cannot be empty/);
  });

  it('shows tags as sorted pairs with their catalog', () => {
    expect(pairs('333333333333', { team: 'a', classification: 'b' })).toEqual([
      { CatalogId: '333333333333', TagKey: 'classification', TagValues: ['b'] },
      { CatalogId: '333333333333', TagKey: 'team', TagValues: ['a'] },
    ]);
  });
});

describe('LF-Tag grant resources', () => {
  it('normalises LFTag and LFTagPolicy resources so equal grants merge, and round-trips them', () => {
    const a = normaliseResource({ LFTagPolicy: { ResourceType: 'TABLE', Expression: [{ TagKey: 'Team', TagValues: ['b', 'a', 'a'] }] } }, '333333333333');
    const b = normaliseResource({ LFTagPolicy: { CatalogId: '333333333333', ResourceType: 'TABLE', Expression: [{ TagKey: 'team', TagValues: ['a', 'b'] }] } }, '444444444444');
    expect(a).toEqual(b);
    expect(resourceView(a)).toEqual({ LFTagPolicy: { CatalogId: '333333333333', ResourceType: 'TABLE', Expression: [{ TagKey: 'team', TagValues: ['a', 'b'] }] } });
    const t = normaliseResource({ LFTag: { TagKey: 'Team', TagValues: ['x', '*'] } }, '333333333333');
    expect(t).toEqual({ kind: 'lftag', catalogId: '333333333333', key: 'team', values: ['*'] });
  });

  it('allows the permissions of the policy resource type only', () => {
    const db = normaliseResource({ LFTagPolicy: { ResourceType: 'DATABASE', Expression: [{ TagKey: 't', TagValues: ['v'] }] } }, '1');
    const table = normaliseResource({ LFTagPolicy: { ResourceType: 'TABLE', Expression: [{ TagKey: 't', TagValues: ['v'] }] } }, '1');
    expect(validPermissions(db)).toContain('CREATE_TABLE');
    expect(validPermissions(db)).not.toContain('SELECT');
    expect(validPermissions(table)).toContain('SELECT');
    expect(validPermissions(normaliseResource({ LFTag: { TagKey: 't', TagValues: ['v'] } }, '1'))).toEqual(['DESCRIBE', 'ASSOCIATE', 'ALTER', 'DROP', 'GRANT_WITH_LF_TAG_EXPRESSION']);
    // Exactly one of Expression and ExpressionName.
    expect(() => normaliseResource({ LFTagPolicy: { ResourceType: 'TABLE', ExpressionName: 'named', Expression: [{ TagKey: 't', TagValues: ['v'] }] } }, '1')).toThrow(/ExpressionName/);
    expect(() => normaliseResource({ LFTagPolicy: { ResourceType: 'TABLE' } }, '1')).toThrow(/ExpressionName/);
    expect(validPermissions(normaliseResource({ LFTagExpression: { Name: 'named' } }, '1'))).toEqual(['ALL', 'DESCRIBE', 'ALTER', 'DROP', 'GRANT_WITH_LF_TAG_EXPRESSION']);
  });

  it('keys a policy by expression name by the name alone, whatever body it was resolved with, and shows the name', () => {
    const named = normaliseResource({ LFTagPolicy: { ResourceType: 'TABLE', ExpressionName: 'sales_public' } }, '1');
    expect(named).toMatchObject({ kind: 'tagpolicy', expressionName: 'sales_public' });
    const resolved = { ...named, expression: [{ key: 't', values: ['v'] }] } as typeof named;
    expect(grantKey('p', resolved)).toBe(grantKey('p', named));
    expect(resourceView(resolved)).toEqual({ LFTagPolicy: { CatalogId: '1', ResourceType: 'TABLE', ExpressionName: 'sales_public' } });
    expect(resourceView(normaliseResource({ LFTagExpression: { Name: 'sales_public' } }, '1'))).toEqual({ LFTagExpression: { CatalogId: '1', Name: 'sales_public' } });
  });
});
