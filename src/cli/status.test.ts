import { describe, expect, it } from 'vitest';
import { formatOrganization, formatStatus } from './status.js';

describe('mlzone status', () => {
  it('prints each endpoint with its variants and instances', () => {
    const text = formatStatus({
      endpoints: [
        {
          accountId: '666666666666',
          region: 'us-east-1',
          name: 'churn',
          variants: [{ name: 'AllTraffic', weight: 1, image: 'img:1', instances: [{ pid: 42, port: 40001, healthy: true, rssBytes: 44 * 1024 * 1024 }, { port: 40002, healthy: false }] }],
        },
      ],
    });
    expect(text.split('\n')).toEqual([
      '666666666666  us-east-1  endpoint/churn',
      '  AllTraffic  weight 1  img:1',
      '    pid 42       port 40001  healthy     44.0 MB',
      '    pid -        port 40002  restarting  -',
    ]);
    expect(formatStatus({ endpoints: [] })).toBe('no endpoint is running');
  });

  it('prints the organization first: one aligned row per account, outsiders marked, SageMaker counts by kind', () => {
    const resources = { roles: 3, users: 1, buckets: 2, repositories: 0, sagemaker: { model: 2, endpoint: 1, 'training-job': 0 } };
    const lines = formatOrganization({
      id: 'o-mlzone0001',
      managementAccountId: '111111111111',
      accounts: [
        { id: '111111111111', name: 'management', status: 'ACTIVE', ou: '', personas: ['admin: Admin'], resources: { ...resources, sagemaker: {} } },
        { id: '444444444444', name: 'data-science-1', status: 'SUSPENDED', ou: 'Workloads/Development', personas: ['scientist: DataScientist', 'engineer: MLEngineer'], resources },
        { id: '999999999999', name: 'partner', status: 'ACTIVE', outsideOrganization: true, personas: [], resources: { ...resources, roles: 0, sagemaker: {} } },
      ],
    });
    expect(lines).toEqual([
      'organization o-mlzone0001 (management account 111111111111), 2 accounts',
      'ACCOUNT       NAME            STATUS     OU                          ROLES  USERS  BUCKETS  REPOS  SAGEMAKER            PERSONAS',
      '111111111111  management      ACTIVE     (root)                      3      1      2        0      -                    admin',
      '444444444444  data-science-1  SUSPENDED  Workloads/Development       3      1      2        0      endpoint 1, model 2  scientist, engineer',
      '999999999999  partner         ACTIVE     (outside the organization)  0      1      2        0      -                    -',
    ]);
    const all = formatStatus({ organization: { accounts: [] }, endpoints: [] }).split('\n');
    expect(all).toEqual(['no organization', 'ACCOUNT  NAME  STATUS  OU  ROLES  USERS  BUCKETS  REPOS  SAGEMAKER  PERSONAS', '', 'no endpoint is running']);
  });
});
