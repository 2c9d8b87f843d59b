/**
 * The same services on PostgreSQL: the landing zone seeds, and STS, IAM and Organizations answer real
 * clients. Runs when MLZONE_TEST_PG points at a server (CI sets it); each run uses its own schema.
 */
import { CreateRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, type Creds } from '../support/sessions.js';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const url = process.env.MLZONE_TEST_PG;
const schema = `mlzone_e2e_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;

describe.skipIf(!url)('mlzone on PostgreSQL (MLZONE_TEST_PG)', () => {
  let server: TestServer;
  let admin: Creds;
  beforeAll(async () => {
    server = await startTestServer({ ephemeral: false, databaseUrl: url, databaseSchema: schema });
    admin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
  });
  afterAll(async () => {
    await server?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });

  it('seeds the blueprint and serves STS, IAM and Organizations', async () => {
    const iam = new IAMClient(clientConfig(server.url, admin));
    await iam.send(new CreateRoleCommand({ RoleName: 'OnPostgres', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'OnPostgres' }))).Role!.Arn).toBe('arn:aws:iam::111111111111:role/OnPostgres');
    const roles = await iam.send(new ListRolesCommand({ MaxItems: 1 }));
    expect(roles.IsTruncated).toBe(true);
    const accounts = await new OrganizationsClient(clientConfig(server.url, admin)).send(new ListAccountsCommand({}));
    expect(accounts.Accounts!.length).toBe(8);
    await expect(assumeRole(server.url, users.ds2Scientist, 'arn:aws:iam::444444444444:role/DataScientist')).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
