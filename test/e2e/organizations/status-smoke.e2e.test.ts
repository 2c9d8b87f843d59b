import { expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
it('status has the organization', async () => {
  const s = await startTestServer();
  try {
    const body = (await (await fetch(`${s.url}/_mlzone/status`)).json()) as any;
    const ds1 = body.organization.accounts.find((a: any) => a.name === 'data-science-1');
    expect(ds1).toMatchObject({ id: '444444444444', status: 'ACTIVE', ou: 'Workloads/Development' });
    expect(ds1.resources.roles).toBeGreaterThan(0);
    expect(ds1.personas.length).toBeGreaterThan(0);
  } finally { await s.close(); }
});
