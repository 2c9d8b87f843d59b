import { describe, expect, it } from 'vitest';
import { s3Path, s3Statements, within } from './vending.js';

describe('credential vending scope', () => {
  it('parses s3:// locations and S3 ARNs alike, without slashes at the ends', () => {
    expect(s3Path('s3://bucket-a/sales/customers/')).toEqual({ bucket: 'bucket-a', prefix: 'sales/customers' });
    expect(s3Path('arn:aws:s3:::bucket-a/sales')).toEqual({ bucket: 'bucket-a', prefix: 'sales' });
    expect(s3Path('arn:aws:s3:::bucket-a')).toEqual({ bucket: 'bucket-a', prefix: '' });
    expect(s3Path('https://bucket-a/x')).toBeUndefined();
  });

  it('a path lies within a location only on a / boundary of the same bucket', () => {
    const loc = { bucket: 'b1b', prefix: 'sales/customers' };
    expect(within({ bucket: 'b1b', prefix: 'sales/customers' }, loc)).toBe(true);
    expect(within({ bucket: 'b1b', prefix: 'sales/customers/year=2024' }, loc)).toBe(true);
    expect(within({ bucket: 'b1b', prefix: 'sales/customers_private' }, loc)).toBe(false);
    expect(within({ bucket: 'b2b', prefix: 'sales/customers' }, loc)).toBe(false);
    expect(within({ bucket: 'b1b', prefix: 'anything' }, { bucket: 'b1b', prefix: '' })).toBe(true);
  });

  it('READ sessions get object reads and listing under the prefix only; READWRITE adds writes', () => {
    const [objects, list] = s3Statements([{ bucket: 'b1b', prefix: 'sales/customers' }], 'READ') as [{ Action: string[]; Resource: string[] }, { Resource: string; Condition: unknown }];
    expect(objects.Action).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(objects.Resource).toEqual(['arn:aws:s3:::b1b/sales/customers/*']);
    expect(list).toMatchObject({ Resource: 'arn:aws:s3:::b1b', Condition: { StringLike: { 's3:prefix': ['sales/customers', 'sales/customers/*'] } } });
    const [rw] = s3Statements([{ bucket: 'b1b', prefix: '' }], 'READWRITE') as [{ Action: string[]; Resource: string[] }];
    expect(rw.Action).toContain('s3:PutObject');
    expect(rw.Resource).toEqual(['arn:aws:s3:::b1b/*']);
  });
});
