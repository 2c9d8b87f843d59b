/**
 * Loads a landing-zone blueprint (YAML): checks it against the schema with messages that name the field,
 * resolves `${account:<name>}`, `${org:id}`, `${org:rootId}` and `${region}` in policy documents, and
 * derives trust policies from `trustedUsers` / `trustedRoles` / `service`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../core/package-root.js';
import type { Blueprint, BlueprintAccount, BlueprintBucket, BlueprintContainerImage, BlueprintLink, BlueprintOrgPolicy, BlueprintOu, BlueprintRepository, BlueprintRole, BlueprintSink, BlueprintUser, PolicyType } from './blueprint-types.js';

export class BlueprintError extends Error {
  constructor(readonly field: string, detail: string) {
    super(`blueprint: ${field}: ${detail}`);
    this.name = 'BlueprintError';
  }
}

type Obj = Record<string, unknown>;

const ACCOUNT_ID = /^\d{12}$/;
const NAME = /^[a-z0-9][a-z0-9-]{0,49}$/;
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCESS_KEY = /^AKIA[A-Z2-7]{16}$/;
const POLICY_TYPES: readonly PolicyType[] = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'];
/** The resource types an OAM link can share (the `ResourceType` enum of the OAM model). */
const OAM_RESOURCE_TYPES = [
  'AWS::CloudWatch::Metric',
  'AWS::Logs::LogGroup',
  'AWS::XRay::Trace',
  'AWS::ApplicationInsights::Application',
  'AWS::InternetMonitor::Monitor',
  'AWS::ApplicationSignals::Service',
  'AWS::ApplicationSignals::ServiceLevelObjective',
];
/** A source account links to at most five monitoring accounts (AWS's quota). */
const MAX_LINKS = 5;

/** The blueprint shipped with mlzone (`blueprints/default.yaml`), found from `src/`, `dist/` and the bundle. */
export function defaultBlueprintPath(): string {
  return join(packageRoot(import.meta.url), 'blueprints', 'default.yaml');
}

export function loadBlueprintFile(path: string): Blueprint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BlueprintError('(file)', `cannot read ${path}: ${(e as Error).message}`);
  }
  if (path === defaultBlueprintPath()) {
    const raw = prebuiltRaw(text);
    if (raw !== undefined) return checkBlueprint(raw);
  }
  return parseBlueprint(text);
}

/**
 * The built-in blueprint's YAML, parsed at build time (`npm run build` writes it, see scripts/bundle.mjs): YAML
 * parsing is ~40 ms of every start. Used only when its `sha256` matches the text just read, so an edited
 * `blueprints/default.yaml` is parsed afresh; the result is validated (`checkBlueprint`) either way.
 */
export function prebuiltBlueprintPath(): string {
  return join(packageRoot(import.meta.url), 'dist', 'default-blueprint.json');
}

export function blueprintSha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function prebuiltRaw(text: string): unknown {
  try {
    const pre = JSON.parse(readFileSync(prebuiltBlueprintPath(), 'utf8')) as { sha256?: unknown; raw?: unknown };
    return pre.sha256 === blueprintSha256(text) ? pre.raw : undefined;
  } catch {
    return undefined;
  }
}

/** The YAML document as plain data (anchors and merge keys resolved), before validation. */
export function parseBlueprintYaml(text: string): unknown {
  try {
    return parseYaml(text, { merge: true });
  } catch (e) {
    throw new BlueprintError('(yaml)', (e as Error).message.split('\n')[0]!);
  }
}

export function parseBlueprint(text: string): Blueprint {
  return checkBlueprint(parseBlueprintYaml(text));
}

function obj(v: unknown, field: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BlueprintError(field, 'must be a mapping');
  return v as Obj;
}

function only(o: Obj, field: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new BlueprintError(`${field}.${k}`, `unknown field (expected one of: ${keys.join(', ')})`);
}

function str(o: Obj, key: string, field: string, opts: { optional?: boolean; pattern?: RegExp; what?: string } = {}): string {
  const v = o[key];
  if (v === undefined || v === null) {
    if (opts.optional) return '';
    throw new BlueprintError(`${field}.${key}`, 'is required');
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new BlueprintError(`${field}.${key}`, 'must be a string');
  const s = String(v);
  if (opts.pattern && !opts.pattern.test(s)) throw new BlueprintError(`${field}.${key}`, `'${s}' is not ${opts.what ?? `matching ${opts.pattern}`}`);
  return s;
}

function list(o: Obj, key: string, field: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BlueprintError(`${field}.${key}`, 'must be a list');
  return v;
}

function strList(o: Obj, key: string, field: string): string[] {
  return list(o, key, field).map((v, i) => {
    if (typeof v !== 'string') throw new BlueprintError(`${field}.${key}[${i}]`, 'must be a string');
    return v;
  });
}

function strMap(o: Obj, key: string, field: string): Record<string, string> {
  const v = o[key];
  if (v === undefined || v === null) return {};
  const m = obj(v, `${field}.${key}`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(m)) {
    if (typeof val !== 'string') throw new BlueprintError(`${field}.${key}.${k}`, 'must be a string');
    out[k] = val;
  }
  return out;
}

function checkBlueprint(raw: unknown): Blueprint {
  const root = obj(raw, '(root)');
  only(root, '(root)', ['version', 'organization', 'ous', 'accounts', 'serviceControlPolicies', 'resourceControlPolicies', 'containerImages']);
  if (root.version !== 1) throw new BlueprintError('version', 'must be 1');
  const org = obj(root.organization, 'organization');
  only(org, 'organization', ['id', 'rootId', 'managementAccount', 'region', 'featureSet', 'policyTypes']);
  const orgId = str(org, 'id', 'organization', { pattern: /^o-[a-z0-9]{10,32}$/, what: 'an organization id (o- followed by 10 to 32 lower-case letters or digits)' });
  const rootId = str(org, 'rootId', 'organization', { optional: true, pattern: /^r-[0-9a-z]{4,32}$/, what: 'a root id (r-xxxx)' }) || 'r-' + orgId.slice(2, 6);
  const region = str(org, 'region', 'organization', { optional: true, pattern: /^[a-z]{2}(-[a-z]+)+-\d$/, what: 'a region name' }) || 'us-east-1';
  const policyTypes = strList(org, 'policyTypes', 'organization').map((t, i) => {
    if (!POLICY_TYPES.includes(t as PolicyType)) throw new BlueprintError(`organization.policyTypes[${i}]`, `'${t}' is not one of ${POLICY_TYPES.join(', ')}`);
    return t as PolicyType;
  });

  const accountsRaw = list(root, 'accounts', '(root)');
  if (accountsRaw.length === 0) throw new BlueprintError('accounts', 'at least one account is required');
  const ids = new Map<string, string>();
  const shorts = new Set<string>();
  const outsiders = new Set<string>();
  const pre = accountsRaw.map((a, i) => {
    const f = `accounts[${i}]`;
    const o = obj(a, f);
    only(o, f, ['name', 'id', 'short', 'email', 'tags', 'outsideOrganization', 'users', 'roles', 'buckets', 'repositories', 'sink', 'links']);
    const name = str(o, 'name', f, { pattern: NAME, what: 'an account name (lower-case letters, digits and dashes)' });
    const id = str(o, 'id', f, { pattern: ACCOUNT_ID, what: 'a 12-digit account id' });
    if (ids.has(name)) throw new BlueprintError(`${f}.name`, `duplicate account name '${name}'`);
    if ([...ids.values()].includes(id)) throw new BlueprintError(`${f}.id`, `duplicate account id '${id}'`);
    ids.set(name, id);
    const short = str(o, 'short', f, { optional: true, pattern: NAME, what: 'a short name' }) || name;
    if (shorts.has(short)) throw new BlueprintError(`${f}.short`, `duplicate short name '${short}'`);
    shorts.add(short);
    const outside = o.outsideOrganization;
    if (outside !== undefined && typeof outside !== 'boolean') throw new BlueprintError(`${f}.outsideOrganization`, 'must be true or false');
    if (outside === true) outsiders.add(name);
    return { o, f, name, id, short, outside: outside === true };
  });
  const management = str(org, 'managementAccount', 'organization');
  if (!ids.has(management)) throw new BlueprintError('organization.managementAccount', `'${management}' is not an account of this blueprint`);
  if (outsiders.has(management)) throw new BlueprintError('organization.managementAccount', `'${management}' is outside the organization`);

  const resolve = (text: string, field: string): string =>
    text.replace(/\$\{([a-zA-Z]+)(?::([^}]+))?\}/g, (m, kind: string, arg?: string) => {
      if (kind === 'account' && arg !== undefined) {
        const id = ids.get(arg);
        if (!id) throw new BlueprintError(field, `unknown account '${arg}' in ${m}`);
        return id;
      }
      if (kind === 'org' && arg === 'id') return orgId;
      if (kind === 'org' && arg === 'rootId') return rootId;
      if (kind === 'region' && arg === undefined) return region;
      return m; // IAM policy variables such as ${aws:username} pass through
    });
  const jsonDoc = (text: string, field: string): string => {
    const resolved = resolve(text, field);
    try {
      return JSON.stringify(JSON.parse(resolved));
    } catch (e) {
      throw new BlueprintError(field, `is not valid JSON: ${(e as Error).message}`);
    }
  };

  const accounts: BlueprintAccount[] = pre.map(({ o, f, name, id, short, outside }) => {
    const users: BlueprintUser[] = list(o, 'users', f).map((u, j) => {
      const uf = `${f}.users[${j}]`;
      const uo = obj(u, uf);
      only(uo, uf, ['name', 'accessKeys', 'managedPolicies', 'inlinePolicies']);
      const keys = list(uo, 'accessKeys', uf).map((k, n) => {
        const kf = `${uf}.accessKeys[${n}]`;
        const ko = obj(k, kf);
        only(ko, kf, ['id', 'secret']);
        return { id: str(ko, 'id', kf, { pattern: ACCESS_KEY, what: 'an access key id (AKIA + 16 of A-Z2-7)' }), secret: str(ko, 'secret', kf, { pattern: /^.{16,128}$/, what: 'a secret of 16 to 128 characters' }) };
      });
      if (keys.length > 2) throw new BlueprintError(`${uf}.accessKeys`, 'at most 2 access keys per user');
      return {
        name: str(uo, 'name', uf, { pattern: IAM_NAME, what: 'an IAM user name' }),
        accessKeys: keys,
        managedPolicies: strList(uo, 'managedPolicies', uf),
        inlinePolicies: Object.fromEntries(Object.entries(strMap(uo, 'inlinePolicies', uf)).map(([k, v]) => [k, jsonDoc(v, `${uf}.inlinePolicies.${k}`)])),
      };
    });
    const userNames = new Set(users.map((u) => u.name));
    const roles: BlueprintRole[] = list(o, 'roles', f).map((r, j) => {
      const rf = `${f}.roles[${j}]`;
      const ro = obj(r, rf);
      only(ro, rf, ['name', 'persona', 'description', 'trustedUsers', 'trustedRoles', 'service', 'trustPolicy', 'managedPolicies', 'inlinePolicies', 'maxSessionDuration', 'permissionsBoundary']);
      const roleName = str(ro, 'name', rf, { pattern: IAM_NAME, what: 'an IAM role name' });
      const trustedUsers = strList(ro, 'trustedUsers', rf);
      trustedUsers.forEach((u, n) => {
        if (!userNames.has(u)) throw new BlueprintError(`${rf}.trustedUsers[${n}]`, `unknown user '${u}' in account '${name}'`);
      });
      const trustedRoles = strList(ro, 'trustedRoles', rf);
      const trustedRoleArns = trustedRoles.map((tr, n) => {
        const [acct, rn] = tr.split(':');
        const tid = acct ? ids.get(acct) : undefined;
        if (!tid || !rn) throw new BlueprintError(`${rf}.trustedRoles[${n}]`, `'${tr}' must be '<account name>:<role name>' of this blueprint`);
        return `arn:aws:iam::${tid}:role/${rn}`;
      });
      const service = str(ro, 'service', rf, { optional: true, pattern: /^[a-z0-9.-]+\.amazonaws\.com$/, what: 'a service principal' }) || undefined;
      const explicitTrust = str(ro, 'trustPolicy', rf, { optional: true });
      if (!explicitTrust && !service && trustedUsers.length === 0 && trustedRoles.length === 0) {
        throw new BlueprintError(rf, 'a role needs trustedUsers, trustedRoles, service or trustPolicy');
      }
      const trustPolicy = explicitTrust
        ? jsonDoc(explicitTrust, `${rf}.trustPolicy`)
        : JSON.stringify(generatedTrust(id, trustedUsers, trustedRoleArns, service));
      const msd = ro.maxSessionDuration;
      if (msd !== undefined && (typeof msd !== 'number' || msd < 3600 || msd > 43200)) {
        throw new BlueprintError(`${rf}.maxSessionDuration`, 'must be a number of seconds from 3600 to 43200');
      }
      return {
        name: roleName,
        persona: str(ro, 'persona', rf, { optional: true, pattern: /^[a-z0-9-]+$/, what: 'a persona (lower-case letters, digits, dashes)' }) || roleName.toLowerCase(),
        description: str(ro, 'description', rf, { optional: true }) || undefined,
        trustPolicy,
        trustedUsers,
        trustedRoles,
        service,
        managedPolicies: strList(ro, 'managedPolicies', rf),
        inlinePolicies: Object.fromEntries(Object.entries(strMap(ro, 'inlinePolicies', rf)).map(([k, v]) => [k, jsonDoc(v, `${rf}.inlinePolicies.${k}`)])),
        maxSessionDuration: msd as number | undefined,
        permissionsBoundary: str(ro, 'permissionsBoundary', rf, { optional: true }) || undefined,
      };
    });
    const roleNames = new Set<string>();
    roles.forEach((r, j) => {
      if (roleNames.has(r.name)) throw new BlueprintError(`${f}.roles[${j}].name`, `duplicate role '${r.name}'`);
      roleNames.add(r.name);
    });
    if (name !== management && !outside && !roleNames.has('OrganizationAccountAccessRole')) {
      // AWS creates this role in every account created through Organizations, trusted by the management account
      // (an account outside the organization never had it).
      roles.push({
        name: 'OrganizationAccountAccessRole',
        persona: 'orgaccess',
        trustPolicy: JSON.stringify(generatedTrust(id, [], [`arn:aws:iam::${ids.get(management)}:root`], undefined)),
        trustedUsers: [],
        trustedRoles: [],
        managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        inlinePolicies: {},
      });
    }
    const buckets: BlueprintBucket[] = list(o, 'buckets', f).map((b, j) => {
      const bf = `${f}.buckets[${j}]`;
      const bo = obj(b, bf);
      only(bo, bf, ['name', 'policy', 'tags']);
      const bucketName = resolve(str(bo, 'name', bf), `${bf}.name`);
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucketName) || bucketName.includes('..')) {
        throw new BlueprintError(`${bf}.name`, `'${bucketName}' is not a valid bucket name`);
      }
      const policy = str(bo, 'policy', bf, { optional: true });
      return { name: bucketName, policy: policy ? jsonDoc(policy, `${bf}.policy`) : undefined, tags: strMap(bo, 'tags', bf) };
    });
    const repositories: BlueprintRepository[] = list(o, 'repositories', f).map((r, j) => {
      const rf = `${f}.repositories[${j}]`;
      const ro = obj(r, rf);
      only(ro, rf, ['name', 'policy', 'imageTagMutability', 'tags']);
      const repoName = str(ro, 'name', rf, { pattern: /^(?=.{2,256}$)((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)$/, what: 'a repository name' });
      const policy = str(ro, 'policy', rf, { optional: true });
      const mutability = str(ro, 'imageTagMutability', rf, { optional: true }) || 'MUTABLE';
      if (mutability !== 'MUTABLE' && mutability !== 'IMMUTABLE') throw new BlueprintError(`${rf}.imageTagMutability`, 'must be MUTABLE or IMMUTABLE');
      return { name: repoName, policy: policy ? jsonDoc(policy, `${rf}.policy`) : undefined, imageTagMutability: mutability, tags: strMap(ro, 'tags', rf) };
    });
    const email = str(o, 'email', f, { optional: true }) || `${name}@mlzone.example`;
    const sink = checkSink(o, f, jsonDoc);
    const links = checkLinks(o, f, name, ids);
    return { name, id, short, email, tags: strMap(o, 'tags', f), ...(outside ? { outsideOrganization: true } : {}), users, roles, buckets, repositories, ...(sink ? { sink } : {}), links };
  });

  accounts.forEach((a, i) =>
    a.links.forEach((l, j) => {
      if (!accounts.find((m) => m.name === l.monitoringAccount)?.sink) {
        throw new BlueprintError(`accounts[${i}].links[${j}].monitoringAccount`, `account '${l.monitoringAccount}' has no sink`);
      }
    }),
  );

  const placed = new Set<string>();
  const ouNames = new Set<string>();
  const checkOus = (v: unknown[], field: string): BlueprintOu[] =>
    v.map((x, i) => {
      const f = `${field}[${i}]`;
      const o = obj(x, f);
      only(o, f, ['name', 'accounts', 'ous']);
      const ouName = str(o, 'name', f, { pattern: /^[\s\S]{1,128}$/, what: 'an OU name' });
      if (ouNames.has(ouName)) throw new BlueprintError(`${f}.name`, `duplicate OU name '${ouName}'`);
      ouNames.add(ouName);
      const accts = strList(o, 'accounts', f);
      accts.forEach((a, n) => {
        if (!ids.has(a)) throw new BlueprintError(`${f}.accounts[${n}]`, `unknown account '${a}'`);
        if (a === management) throw new BlueprintError(`${f}.accounts[${n}]`, 'the management account stays directly under the root');
        if (placed.has(a)) throw new BlueprintError(`${f}.accounts[${n}]`, `account '${a}' is already in another OU`);
        if (outsiders.has(a)) throw new BlueprintError(`${f}.accounts[${n}]`, `account '${a}' is outside the organization`);
        placed.add(a);
      });
      return { name: ouName, accounts: accts, ous: checkOus(list(o, 'ous', f), `${f}.ous`) };
    });
  const ous = checkOus(list(root, 'ous', '(root)'), 'ous');

  const targets = new Set<string>(['Root', ...[...ids.keys()].filter((a) => !outsiders.has(a)), ...ouNames]);
  const orgPolicies = (key: string): BlueprintOrgPolicy[] =>
    list(root, key, '(root)').map((p, i) => {
      const f = `${key}[${i}]`;
      const o = obj(p, f);
      only(o, f, ['name', 'description', 'targets', 'document']);
      const t = strList(o, 'targets', f);
      t.forEach((x, n) => {
        if (!targets.has(x)) throw new BlueprintError(`${f}.targets[${n}]`, `'${x}' is not Root, an OU or an account of this blueprint's organization`);
      });
      return { name: str(o, 'name', f, { pattern: /^[\w+=,.@ -]{1,128}$/, what: 'a policy name' }), description: str(o, 'description', f, { optional: true }), targets: t, document: jsonDoc(str(o, 'document', f), `${f}.document`) };
    });
  const serviceControlPolicies = orgPolicies('serviceControlPolicies');
  const resourceControlPolicies = orgPolicies('resourceControlPolicies');
  if (serviceControlPolicies.length > 0 && !policyTypes.includes('SERVICE_CONTROL_POLICY')) {
    throw new BlueprintError('serviceControlPolicies', 'needs SERVICE_CONTROL_POLICY in organization.policyTypes');
  }
  if (resourceControlPolicies.length > 0 && !policyTypes.includes('RESOURCE_CONTROL_POLICY')) {
    throw new BlueprintError('resourceControlPolicies', 'needs RESOURCE_CONTROL_POLICY in organization.policyTypes');
  }

  const containerImages: BlueprintContainerImage[] = list(root, 'containerImages', '(root)').map((c, i) => {
    const f = `containerImages[${i}]`;
    const o = obj(c, f);
    only(o, f, ['image', 'command', 'args', 'cwd', 'environment']);
    const image = str(o, 'image', f, { pattern: /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[a-z0-9][a-z0-9._/-]*(?::[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$/, what: 'an ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag])' });
    if (!accounts.some((a) => a.id === image.slice(0, 12))) throw new BlueprintError(`${f}.image`, `account ${image.slice(0, 12)} is not an account of this blueprint`);
    const cwd = str(o, 'cwd', f, { optional: true });
    return { image, command: str(o, 'command', f), args: strList(o, 'args', f), ...(cwd ? { cwd } : {}), environment: strMap(o, 'environment', f) };
  });

  return {
    version: 1,
    organization: { id: orgId, rootId, managementAccount: management, region, policyTypes },
    ous,
    accounts,
    serviceControlPolicies,
    resourceControlPolicies,
    containerImages,
  };
}

function checkSink(o: Obj, f: string, jsonDoc: (text: string, field: string) => string): BlueprintSink | undefined {
  if (o.sink === undefined || o.sink === null) return undefined;
  const sf = `${f}.sink`;
  const so = obj(o.sink, sf);
  only(so, sf, ['name', 'policy', 'tags']);
  const policy = str(so, 'policy', sf, { optional: true });
  return {
    name: str(so, 'name', sf, { pattern: /^[a-zA-Z0-9_.-]{1,255}$/, what: 'a sink name (1 to 255 letters, digits, _ . -)' }),
    ...(policy ? { policy: jsonDoc(policy, `${sf}.policy`) } : {}),
    tags: strMap(so, 'tags', sf),
  };
}

function checkLinks(o: Obj, f: string, self: string, accounts: ReadonlyMap<string, string>): BlueprintLink[] {
  const seen = new Set<string>();
  const links = list(o, 'links', f).map((l, j) => {
    const lf = `${f}.links[${j}]`;
    const lo = obj(l, lf);
    only(lo, lf, ['monitoringAccount', 'resourceTypes', 'labelTemplate', 'tags']);
    const monitoringAccount = str(lo, 'monitoringAccount', lf);
    if (!accounts.has(monitoringAccount)) throw new BlueprintError(`${lf}.monitoringAccount`, `unknown account '${monitoringAccount}'`);
    if (monitoringAccount === self) throw new BlueprintError(`${lf}.monitoringAccount`, 'an account cannot link to its own sink');
    if (seen.has(monitoringAccount)) throw new BlueprintError(`${lf}.monitoringAccount`, `duplicate link to '${monitoringAccount}'`);
    seen.add(monitoringAccount);
    const resourceTypes = [...new Set(strList(lo, 'resourceTypes', lf))];
    if (resourceTypes.length === 0) throw new BlueprintError(`${lf}.resourceTypes`, 'at least one resource type is required');
    resourceTypes.forEach((t, n) => {
      if (!OAM_RESOURCE_TYPES.includes(t)) throw new BlueprintError(`${lf}.resourceTypes[${n}]`, `'${t}' is not one of ${OAM_RESOURCE_TYPES.join(', ')}`);
    });
    const labelTemplate = str(lo, 'labelTemplate', lf, { optional: true, pattern: /^[\s\S]{1,64}$/, what: 'a label template of 1 to 64 characters' }) || '$AccountName';
    return { monitoringAccount, resourceTypes, labelTemplate, tags: strMap(lo, 'tags', lf) };
  });
  if (links.length > MAX_LINKS) throw new BlueprintError(`${f}.links`, `at most ${MAX_LINKS} links per account`);
  return links;
}

function generatedTrust(accountId: string, users: readonly string[], principals: readonly string[], service: string | undefined): object {
  const statements: object[] = [];
  const aws = [...users.map((u) => `arn:aws:iam::${accountId}:user/${u}`), ...principals];
  if (aws.length > 0) {
    statements.push({ Effect: 'Allow', Principal: { AWS: aws.length === 1 ? aws[0] : aws }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] });
  }
  if (service) statements.push({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });
  return { Version: '2012-10-17', Statement: statements };
}

export function accountByName(bp: Blueprint, name: string): BlueprintAccount | undefined {
  return bp.accounts.find((a) => a.name === name);
}
