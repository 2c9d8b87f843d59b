import { describe, expect, it } from 'vitest';
import { defaultBlueprintPath, loadBlueprintFile } from './blueprint.js';
import { blueprintProfiles, organizationProfiles } from './profiles.js';

describe('organizationProfiles', () => {
  const bp = loadBlueprintFile(defaultBlueprintPath());
  const url = 'http://127.0.0.1:4566';
  const known = blueprintProfiles(bp, url);

  it('gives each account the organization added an admin profile through the management Admin, and skips the rest', () => {
    const out = organizationProfiles(bp, url, known, [
      { id: '111111111111', name: 'management', status: 'ACTIVE' },
      { id: '123456789012', name: 'data-science-3', status: 'ACTIVE' },
      { id: '210987654321', name: 'closed-one', status: 'SUSPENDED' },
      { id: '999999999999', name: 'partner', status: 'ACTIVE', outsideOrganization: true },
      { id: '345678901234', name: 'mgmt', status: 'ACTIVE' },
    ]);
    expect(out.map((p) => [p.name, p.config['role_arn'], p.config['source_profile']])).toEqual([
      ['data-science-3-admin', 'arn:aws:iam::123456789012:role/OrganizationAccountAccessRole', 'mgmt-admin'],
      // `mgmt-admin` is the blueprint's management Admin profile: the vended account's name gets its id.
      ['mgmt-345678901234-admin', 'arn:aws:iam::345678901234:role/OrganizationAccountAccessRole', 'mgmt-admin'],
    ]);
  });
});
