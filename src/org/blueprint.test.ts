import { describe, expect, it } from 'vitest';
import { BlueprintError, defaultBlueprintPath, loadBlueprintFile, parseBlueprint } from './blueprint.js';
import { blueprintProfiles, mergeIni, renderProfiles } from './profiles.js';

const minimal = (extra = '') => `
version: 1
organization: { id: o-abcdefghij, managementAccount: mgmt }
accounts:
  - name: mgmt
    id: "123456789012"
    users: [{ name: alice, accessKeys: [{ id: AKIAAAAAAAAAAAAAAAAA, secret: abcdefghijklmnopqrstuvwxyz }] }]
    roles: [{ name: Admin, trustedUsers: [alice] }]
${extra}`;

const OUTSIDER = `
  - name: partner
    id: "999999999999"
    outsideOrganization: true
    users: [{ name: bob, accessKeys: [{ id: AKIABBBBBBBBBBBBBBBB, secret: abcdefghijklmnopqrstuvwxyz }] }]`;

describe('blueprint', () => {
  it('loads the default landing zone with its eight accounts and personas', () => {
    const bp = loadBlueprintFile(defaultBlueprintPath());
    expect(bp.accounts.map((a) => a.name)).toEqual([
      'management', 'shared-services', 'data-lake', 'data-science-1', 'data-science-2', 'test', 'production', 'catalog-hub',
    ]);
    const prod = bp.accounts.find((a) => a.name === 'production')!;
    const deploy = prod.roles.find((r) => r.name === 'DeploymentRole')!;
    expect(JSON.parse(deploy.trustPolicy).Statement[0].Principal.AWS).toBe('arn:aws:iam::222222222222:role/DeploymentRole');
    expect(prod.roles.map((r) => r.name)).toContain('OrganizationAccountAccessRole');
    const scp = bp.serviceControlPolicies.find((p) => p.name === 'DataScienceCannotReadProduction')!;
    expect(scp.document).toContain('arn:aws:sagemaker:*:777777777777:*');
    expect(bp.resourceControlPolicies[0]!.document).toContain('"aws:PrincipalOrgID":"o-mlzone0001"');
  });

  it('marks an account outside the organization, and only that one', () => {
    const bp = parseBlueprint(`${minimal()}${OUTSIDER}`);
    expect(bp.accounts.map((a) => [a.name, a.outsideOrganization ?? false])).toEqual([['mgmt', false], ['partner', true]]);
    expect(bp.accounts[1]!.users[0]!.name).toBe('bob');
    // Organizations creates OrganizationAccountAccessRole in its member accounts only.
    expect(bp.accounts[1]!.roles.map((r) => r.name)).toEqual([]);
  });

  it('keeps IAM policy variables while resolving blueprint placeholders', () => {
    const bp = parseBlueprint(minimal().replace('roles: [{ name: Admin, trustedUsers: [alice] }]',
      `roles: [{ name: Admin, trustedUsers: [alice], inlinePolicies: { p: '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::\${account:mgmt}-\${aws:username}"}]}' } }]`));
    expect(bp.accounts[0]!.roles[0]!.inlinePolicies.p).toContain('arn:aws:s3:::123456789012-${aws:username}');
  });

  it.each([
    ['version: 2\norganization: {}', 'version'],
    [minimal().replace('id: "123456789012"', 'id: "12345"'), 'accounts[0].id'],
    [minimal().replace('trustedUsers: [alice]', 'trustedUsers: [bob]'), 'accounts[0].roles[0].trustedUsers[0]'],
    [minimal().replace('managementAccount: mgmt', 'managementAccount: nope'), 'organization.managementAccount'],
    [minimal('ous: [{ name: X, accounts: [ghost] }]'), 'ous[0].accounts[0]'],
    [minimal().replace('name: alice,', 'name: alice, colour: red,'), 'accounts[0].users[0].colour'],
    [minimal('serviceControlPolicies: [{ name: p, targets: [Root], document: "{" }]'), 'serviceControlPolicies[0].document'],
    [minimal().replace('id: "123456789012"', 'id: "123456789012"\n    outsideOrganization: yes-please'), 'accounts[0].outsideOrganization'],
    [minimal().replace('id: "123456789012"', 'id: "123456789012"\n    outsideOrganization: true'), 'organization.managementAccount'],
    [`${minimal()}${OUTSIDER}\nous: [{ name: X, accounts: [partner] }]`, 'ous[0].accounts[0]'],
    [`${minimal()}${OUTSIDER}\nserviceControlPolicies: [{ name: p, targets: [partner], document: "{}" }]`, 'serviceControlPolicies[0].targets[0]'],
  ])('rejects a bad blueprint naming the field (%#)', (text, field) => {
    try {
      parseBlueprint(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BlueprintError);
      expect((e as BlueprintError).field).toBe(field);
      expect((e as Error).message).toContain(field);
    }
  });

  it('derives user and role profiles, role profiles chaining to a source profile', () => {
    const bp = loadBlueprintFile(defaultBlueprintPath());
    const profiles = blueprintProfiles(bp, 'http://127.0.0.1:4566');
    const byName = new Map(profiles.map((p) => [p.name, p]));
    expect(byName.get('user-ds1-scientist')!.credentials!.aws_access_key_id).toBe('AKIAXFEF5XS35DJLOYMK');
    expect(byName.get('ds1-scientist')!.config.role_arn).toBe('arn:aws:iam::444444444444:role/DataScientist');
    expect(byName.get('ds1-scientist')!.config.source_profile).toBe('user-ds1-scientist');
    expect(byName.get('prod-deploy')!.config.source_profile).toBe('shared-deploy');
    expect(byName.get('lake-consumer')!.config.source_profile).toBe('ds1-scientist');
    expect(byName.get('prod-orgaccess')!.config.source_profile).toBe('mgmt-admin');
    const { config, credentials } = renderProfiles(profiles);
    expect(config).toContain('[profile ds1-scientist]');
    expect(credentials).toContain('[user-ds1-scientist]');
  });

  it('merges profiles into an existing file without losing other sections', () => {
    const merged = mergeIni('[default]\nregion = eu-west-1\n\n[profile ds1-scientist]\nregion = old\n', '[profile ds1-scientist]\nregion = us-east-1\n');
    expect(merged).toContain('[default]\nregion = eu-west-1');
    expect(merged).toContain('[profile ds1-scientist]\nregion = us-east-1');
    expect(merged).not.toContain('region = old');
  });
});

describe('blueprint buckets and repositories', () => {
  it('resolves placeholders in bucket names and policies', () => {
    const bp = loadBlueprintFile(defaultBlueprintPath());
    const lake = bp.accounts.find((a) => a.name === 'data-lake')!;
    expect(lake.buckets.map((b) => b.name)).toEqual(['mlzone-raw-333333333333', 'mlzone-curated-333333333333', 'mlzone-feature-store-333333333333']);
    expect(JSON.parse(lake.buckets[1]!.policy!).Statement[0].Principal.AWS).toContain('arn:aws:iam::444444444444:role/DataScientist');
    const shared = bp.accounts.find((a) => a.name === 'shared-services')!;
    expect(shared.repositories.map((r) => r.name)).toEqual(['mlzone/training', 'mlzone/inference']);
    expect(JSON.parse(shared.repositories[1]!.policy!).Statement[0].Condition.StringEquals['aws:PrincipalOrgID']).toBe('o-mlzone0001');
    expect(bp.accounts.find((a) => a.name === 'data-science-1')!.buckets[0]!.name).toBe('sagemaker-us-east-1-444444444444');
  });

  it('rejects a bad bucket name naming the field', () => {
    expect(() => parseBlueprint(minimal().replace('roles: [{ name: Admin, trustedUsers: [alice] }]', 'roles: [{ name: Admin, trustedUsers: [alice] }]\n    buckets: [{ name: Bad_Bucket }]'))).toThrow(
      "blueprint: accounts[0].buckets[0].name: 'Bad_Bucket' is not a valid bucket name",
    );
  });

  it('maps container images to commands, refusing what is not an image of its accounts', () => {
    const ok = parseBlueprint(minimal(`containerImages:\n  - { image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/server, command: python3, args: [serve.py], cwd: servers }`));
    expect(ok.containerImages).toEqual([{ image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/server', command: 'python3', args: ['serve.py'], cwd: 'servers', environment: {} }]);
    expect(() => parseBlueprint(minimal(`containerImages:\n  - { image: docker.io/library/nginx, command: nginx }`))).toThrow(/containerImages\[0\]\.image.*not an ECR image URI/);
    expect(() => parseBlueprint(minimal(`containerImages:\n  - { image: 999999999999.dkr.ecr.us-east-1.amazonaws.com/x, command: x }`))).toThrow(/containerImages\[0\]\.image.*account 999999999999 is not an account of this blueprint/);
    expect(() => parseBlueprint(minimal(`containerImages:\n  - { image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x }`))).toThrow(/containerImages\[0\]\.command.*is required/);
  });
});

describe('blueprint observability (OAM sinks and links)', () => {
  const zone = (sink: string, links: string) => `
version: 1
organization: { id: o-abcdefghij, managementAccount: mgmt }
accounts:
  - name: mgmt
    id: "123456789012"
${sink}
  - name: workload
    id: "210987654321"
${links}`;

  it('makes shared-services the monitoring account of data-science-1, test and production, not data-science-2', () => {
    const bp = loadBlueprintFile(defaultBlueprintPath());
    const shared = bp.accounts.find((a) => a.name === 'shared-services')!;
    expect(shared.sink?.name).toBe('central-monitoring');
    expect(JSON.parse(shared.sink!.policy!).Statement[0].Principal.AWS).toEqual(['444444444444', '666666666666', '777777777777']);
    const linked = bp.accounts.filter((a) => a.links.some((l) => l.monitoringAccount === 'shared-services')).map((a) => a.name);
    expect(linked).toEqual(['data-science-1', 'test', 'production']);
    for (const a of bp.accounts.filter((x) => x.links.length > 0)) {
      expect(a.links).toEqual([{ monitoringAccount: 'shared-services', resourceTypes: ['AWS::CloudWatch::Metric', 'AWS::Logs::LogGroup'], labelTemplate: '$AccountName', tags: {} }]);
    }
  });

  it('defaults the label template and drops repeated resource types', () => {
    const bp = parseBlueprint(zone('    sink: { name: central }', '    links: [{ monitoringAccount: mgmt, resourceTypes: [AWS::Logs::LogGroup, AWS::Logs::LogGroup] }]'));
    expect(bp.accounts[0]!.sink).toEqual({ name: 'central', tags: {} });
    expect(bp.accounts[1]!.links).toEqual([{ monitoringAccount: 'mgmt', resourceTypes: ['AWS::Logs::LogGroup'], labelTemplate: '$AccountName', tags: {} }]);
  });

  it('refuses links the API would refuse, naming the field', () => {
    const sink = '    sink: { name: central }';
    expect(() => parseBlueprint(zone('', '    links: [{ monitoringAccount: mgmt, resourceTypes: [AWS::CloudWatch::Metric] }]'))).toThrow("blueprint: accounts[1].links[0].monitoringAccount: account 'mgmt' has no sink");
    expect(() => parseBlueprint(zone(sink, '    links: [{ monitoringAccount: nobody, resourceTypes: [AWS::CloudWatch::Metric] }]'))).toThrow("accounts[1].links[0].monitoringAccount: unknown account 'nobody'");
    expect(() => parseBlueprint(zone(sink, '    links: [{ monitoringAccount: workload, resourceTypes: [AWS::CloudWatch::Metric] }]'))).toThrow('an account cannot link to its own sink');
    expect(() => parseBlueprint(zone(sink, '    links: [{ monitoringAccount: mgmt, resourceTypes: [AWS::S3::Bucket] }]'))).toThrow(/accounts\[1\]\.links\[0\]\.resourceTypes\[0\]: 'AWS::S3::Bucket' is not one of/);
    expect(() => parseBlueprint(zone(sink, '    links: [{ monitoringAccount: mgmt, resourceTypes: [] }]'))).toThrow('at least one resource type is required');
    expect(() => parseBlueprint(zone(sink, '    links: [{ monitoringAccount: mgmt, resourceTypes: [AWS::CloudWatch::Metric] }, { monitoringAccount: mgmt, resourceTypes: [AWS::CloudWatch::Metric] }]'))).toThrow("duplicate link to 'mgmt'");
    expect(() => parseBlueprint(zone('    sink: { name: "bad name" }', ''))).toThrow(/accounts\[0\]\.sink\.name: 'bad name' is not a sink name/);
    expect(() => parseBlueprint(zone('    sink: { name: central, policy: "{not json" }', ''))).toThrow(/accounts\[0\]\.sink\.policy: is not valid JSON/);
  });
});
