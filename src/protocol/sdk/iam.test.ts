import { CreateRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand, paginateListRoles } from '@aws-sdk/client-iam';
import type { Role } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { caught, clientConfig, codecHandler, modelError, registry } from './harness.js';

const model = registry.get('iam');
const created = new Date('2024-05-06T07:08:09Z');
const policy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

function role(name: string, tags: { Key: string; Value: string }[] = []) {
  return {
    Path: '/ml/',
    RoleName: name,
    RoleId: `AROA${name.toUpperCase()}`,
    Arn: `arn:aws:iam::111122223333:role/ml/${name}`,
    CreateDate: created,
    AssumeRolePolicyDocument: encodeURIComponent(policy),
    MaxSessionDuration: 3600,
    Tags: tags,
  };
}

describe('IAM (awsQuery) with the JS SDK', () => {
  it('CreateRole: tags list, policy document with special characters', async () => {
    const { handler, exchanges } = codecHandler(model, (_op, input) => ({ Role: role(input.RoleName as string, input.Tags as never) }));
    const client = new IAMClient({ ...clientConfig, requestHandler: handler as never });
    const out = await client.send(
      new CreateRoleCommand({
        RoleName: 'trainer',
        Path: '/ml/',
        AssumeRolePolicyDocument: policy,
        Description: 'trains models ünïcode & <xml>',
        MaxSessionDuration: 7200,
        Tags: [
          { Key: 'team', Value: 'ds1' },
          { Key: 'cost-center', Value: '42' },
        ],
      }),
    );
    expect(exchanges[0].input).toEqual({
      RoleName: 'trainer',
      Path: '/ml/',
      AssumeRolePolicyDocument: policy,
      Description: 'trains models ünïcode & <xml>',
      MaxSessionDuration: 7200,
      Tags: [
        { Key: 'team', Value: 'ds1' },
        { Key: 'cost-center', Value: '42' },
      ],
    });
    expect(out.Role?.RoleName).toBe('trainer');
    expect(out.Role?.CreateDate).toEqual(created);
    expect(out.Role?.Tags).toEqual([
      { Key: 'team', Value: 'ds1' },
      { Key: 'cost-center', Value: '42' },
    ]);
    expect(decodeURIComponent(out.Role?.AssumeRolePolicyDocument ?? '')).toBe(policy);
  });

  it('CreateRole: an empty tag list arrives as an empty list', async () => {
    const { handler, exchanges } = codecHandler(model, (_op, input) => ({ Role: role(input.RoleName as string) }));
    const client = new IAMClient({ ...clientConfig, requestHandler: handler as never });
    const out = await client.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: policy, Tags: [] }));
    expect(exchanges[0].wire?.body.toString()).toMatch(/(^|&)Tags=(&|$)/);
    expect(exchanges[0].input?.Tags).toEqual([]);
    expect(out.Role?.Tags ?? []).toEqual([]);
  });

  it('ListRoles: Marker/IsTruncated pagination through the SDK paginator', async () => {
    const all = ['a', 'b', 'c', 'd', 'e'].map((n) => role(n, [{ Key: 'n', Value: n }]));
    const { handler, exchanges } = codecHandler(model, (_op, input) => {
      const start = input.Marker ? Number(input.Marker) : 0;
      const max = (input.MaxItems as number | undefined) ?? 100;
      const page = all.slice(start, start + max);
      const next = start + max;
      return next < all.length ? { Roles: page, IsTruncated: true, Marker: String(next) } : { Roles: page, IsTruncated: false };
    });
    const client = new IAMClient({ ...clientConfig, requestHandler: handler as never });
    const seen: Role[] = [];
    for await (const page of paginateListRoles({ client, pageSize: 2 }, { PathPrefix: '/ml/' })) seen.push(...(page.Roles ?? []));
    expect(seen.map((r) => r.RoleName)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(seen[4].Tags).toEqual([{ Key: 'n', Value: 'e' }]);
    expect(exchanges.map((e) => e.input)).toEqual([
      { PathPrefix: '/ml/', MaxItems: 2 },
      { PathPrefix: '/ml/', MaxItems: 2, Marker: '2' },
      { PathPrefix: '/ml/', MaxItems: 2, Marker: '4' },
    ]);
    const last = await client.send(new ListRolesCommand({ Marker: '4' }));
    expect(last.IsTruncated).toBe(false);
    expect(last.Marker).toBeUndefined();
  });

  it('NoSuchEntity: SDK sees the modelled exception, code, message and 404', async () => {
    const { handler, exchanges } = codecHandler(model, (_op, input) =>
      modelError(model, 'NoSuchEntityException', `The role with name ${String(input.RoleName)} cannot be found.`),
    );
    const client = new IAMClient({ ...clientConfig, requestHandler: handler as never });
    const err = await caught(() => client.send(new GetRoleCommand({ RoleName: 'ghost' })));
    expect(err.name).toBe('NoSuchEntityException');
    expect(err.Code ?? err.Error?.Code).toBe('NoSuchEntity');
    expect(err.message).toBe('The role with name ghost cannot be found.');
    expect(err.$metadata.httpStatusCode).toBe(404);
    const body = String(exchanges[0].response?.body);
    expect(body).toBe(
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>' +
        '<Message>The role with name ghost cannot be found.</Message></Error><RequestId>req-1</RequestId></ErrorResponse>',
    );
  });

  it('validation: several violations, AWS wording and order', async () => {
    const { handler } = codecHandler(model, () => ({}));
    const client = new IAMClient({ ...clientConfig, requestHandler: handler as never });
    const err = await caught(() =>
      client.send(new CreateRoleCommand({ RoleName: 'bad name', AssumeRolePolicyDocument: policy, Tags: [{ Key: 'k', Value: 'v' }, { Key: '', Value: 'x' }] })),
    );
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe(
      "2 validation errors detected: Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; " +
        "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });
});
