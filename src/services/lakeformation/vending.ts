/**
 * Credential vending, the query engine's path to Lake Formation data: GetTemporaryGlueTableCredentials for a
 * table, GetTemporaryDataLocationCredentials for registered locations. Lake Formation decides (SELECT on the table,
 * DATA_LOCATION_ACCESS on the location; IAM has already checked `lakeformation:GetDataAccess`), then STS mints a
 * session of the role the location is registered with, narrowed by a session policy to the location asked for.
 */
import type { RequestContext } from '../../core/context.js';
import { AwsError } from '../../core/errors.js';
import type { RoleCredentialsPort } from '../../core/role-credentials.js';
import type { Handlers } from '../../core/service.js';
import { columnNames, principalIds, type Access } from './access.js';
import type { LakeFormationOperations } from './api.gen.js';
import type { StoredLocation } from './model.js';

export const LF_SERVICE = 'lakeformation.amazonaws.com';
export const SLR_NAME = 'AWSServiceRoleForLakeFormationDataAccess';
const SLR_POLICY = 'LakeFormationDataAccessLocations';

const invalid = (m: string) => new AwsError('InvalidInputException', m);
const denied = (m: string) => new AwsError('AccessDeniedException', m);

/** `s3://bucket/prefix/` or `arn:aws:s3:::bucket/prefix` → bucket and prefix (no slashes at either end). */
export function s3Path(location: string): { bucket: string; prefix: string } | undefined {
  const m = /^(?:s3a?:\/\/|arn:aws:s3:::)([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(location);
  if (!m) return undefined;
  return { bucket: m[1]!, prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** `inner` lies within `outer` (same bucket, prefix equal or below on a `/` boundary). */
export function within(inner: { bucket: string; prefix: string }, outer: { bucket: string; prefix: string }): boolean {
  return inner.bucket === outer.bucket && (outer.prefix === '' || inner.prefix === outer.prefix || inner.prefix.startsWith(`${outer.prefix}/`));
}

/** S3 statements reading (and, for READWRITE, writing) exactly the objects under each path. */
export function s3Statements(paths: readonly { bucket: string; prefix: string }[], scope: 'READ' | 'READWRITE'): object[] {
  const objects = paths.map((p) => `arn:aws:s3:::${p.bucket}/${p.prefix ? `${p.prefix}/` : ''}*`);
  const actions = scope === 'READ' ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];
  const out: object[] = [{ Effect: 'Allow', Action: actions, Resource: objects }];
  for (const bucket of [...new Set(paths.map((p) => p.bucket))]) {
    const prefixes = paths.filter((p) => p.bucket === bucket).flatMap((p) => (p.prefix ? [p.prefix, `${p.prefix}/*`] : ['*']));
    out.push({ Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}`, Condition: { StringLike: { 's3:prefix': prefixes } } });
  }
  return out;
}

export const policyDocument = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

type VendOps = 'GetTemporaryGlueTableCredentials' | 'GetTemporaryDataLocationCredentials';

export function createVending(access: Access, roles: RoleCredentialsPort) {
  const { store, glue } = access;

  /** The registered location (of `owner`) that holds `path`, the most specific one. */
  async function registeredFor(owner: string, path: { bucket: string; prefix: string }): Promise<StoredLocation | undefined> {
    const hits = (await store.locations(owner)).filter((l) => {
      const p = s3Path(l.arn);
      return p !== undefined && within(path, p);
    });
    return hits.sort((a, b) => b.arn.length - a.arn.length)[0];
  }

  async function mint(ctx: RequestContext, location: StoredLocation, paths: { bucket: string; prefix: string }[], scope: 'READ' | 'READWRITE', durationSeconds: number) {
    const roleArn = location.roleArn ?? `arn:aws:iam::${ctx.accountId}:role/aws-service-role/${LF_SERVICE}/${SLR_NAME}`;
    try {
      return await roles.assume({
        roleArn,
        service: LF_SERVICE,
        sessionName: `AWSLF-00-${ctx.accountId}-${ctx.now}`.slice(0, 64),
        policy: policyDocument(s3Statements(paths, scope)),
        durationSeconds,
        sourceAccount: ctx.accountId,
      });
    } catch (e) {
      // The registered role does not let Lake Formation assume it (trust policy, missing role): AWS reports it so.
      if (e instanceof AwsError) throw denied(`Lake Formation could not assume the role ${roleArn} registered for ${location.arn}: ${e.message}`);
      throw e;
    }
  }

  const handlers: Handlers<Pick<LakeFormationOperations, VendOps>> = {
    GetTemporaryGlueTableCredentials: async (input, ctx) => {
      const m = /^arn:aws:glue:[^:]*:(\d{12}):table\/([^/]+)\/([^/]+)$/.exec(input.TableArn);
      if (!m) throw invalid(`Invalid table ARN ${input.TableArn}.`);
      const [, owner, database, name] = m as unknown as [string, string, string, string];
      const t = await glue.table(owner, database.toLowerCase(), name.toLowerCase());
      if (!t || t.TargetTable || !(await access.shareAccepted(ctx, owner, t.DatabaseName!, t.Name))) throw new AwsError('EntityNotFoundException', `Table ${name} not found.`);
      const location = s3Path(t.StorageDescriptor?.Location ?? '');
      if (!location) throw invalid(`Table ${database}.${name} has no S3 location.`);
      const registered = await registeredFor(owner, location);
      if (!registered) throw invalid(`The location of table ${database}.${name} is not registered with Lake Formation.`);
      let paths = [location];
      if (input.S3Path !== undefined) {
        const p = s3Path(input.S3Path);
        if (!p || !within(p, location)) throw invalid(`S3Path ${input.S3Path} is not within the table's location.`);
        paths = [p];
      }
      const wanted = input.Permissions?.length ? input.Permissions : ['SELECT'];
      const eff = await access.effective(ctx, t);
      const grants = await access.grantsFor(ctx.accountId, principalIds(ctx), owner, t.DatabaseName!, t.Name);
      const holds = (p: string) => eff.iam || grants.some((g) => g.resource.kind === 'table' && (g.permissions.includes(p) || g.permissions.includes('ALL')));
      for (const p of wanted) {
        if (p === 'SELECT') {
          if (!eff.iam && !eff.cells.length) throw denied(`Insufficient Lake Formation permission(s) on ${t.Name}`);
          continue;
        }
        if (!['INSERT', 'DELETE'].includes(p)) throw invalid(`Permission ${p} is not supported for temporary credentials.`);
        if (!holds(p)) throw denied(`Insufficient Lake Formation permission(s) on ${t.Name}`);
      }
      // Narrower grants need an engine that enforces them: it says which kinds it supports (AWS's rule).
      if (!eff.iam && wanted.includes('SELECT')) {
        const supported = input.SupportedPermissionTypes ?? [];
        const all = columnNames(t);
        const full = eff.cells.some((c) => c.rowFilter === undefined && all.every((x) => c.columns.includes(x)));
        if (!full) {
          const rows = eff.cells.some((c) => c.rowFilter !== undefined);
          const need = rows ? 'CELL_FILTER_PERMISSION' : 'COLUMN_PERMISSION';
          if (!supported.includes(need)) throw new AwsError('PermissionTypeMismatchException', `The caller's permissions on ${t.Name} are of type ${need}, which the request's SupportedPermissionTypes does not include.`);
        }
      }
      const creds = await mint(ctx, registered, paths, wanted.some((p) => p !== 'SELECT') ? 'READWRITE' : 'READ', input.DurationSeconds ?? 3600);
      return {
        AccessKeyId: creds.accessKeyId,
        SecretAccessKey: creds.secretAccessKey,
        SessionToken: creds.sessionToken,
        Expiration: new Date(creds.expiration),
        VendedS3Path: paths.map((p) => `s3://${p.bucket}/${p.prefix}`),
      };
    },
    GetTemporaryDataLocationCredentials: async (input, ctx) => {
      const scope = (input.CredentialsScope ?? 'READ') as 'READ' | 'READWRITE';
      if (scope !== 'READ' && scope !== 'READWRITE') throw invalid(`Invalid CredentialsScope ${String(input.CredentialsScope)}.`);
      if (!input.DataLocations?.length) throw invalid('DataLocations cannot be empty.');
      const admin = await access.isAdmin(ctx, ctx.accountId);
      const ids = principalIds(ctx);
      const mine = (await store.grants(ctx.accountId)).filter((g) => ids.includes(g.principal) && g.resource.kind === 'location' && g.permissions.includes('DATA_LOCATION_ACCESS'));
      const paths: { bucket: string; prefix: string }[] = [];
      let registered: StoredLocation | undefined;
      for (const l of input.DataLocations) {
        const p = s3Path(l);
        if (!p) throw invalid(`Invalid S3 location ${l}.`);
        const r = await registeredFor(ctx.accountId, p);
        if (!r) throw invalid(`The location ${l} is not registered with Lake Formation.`);
        if (registered && registered.arn !== r.arn) throw invalid('DataLocations must lie in one registered location.');
        registered = r;
        const granted = mine.some((g) => {
          const gp = g.resource.kind === 'location' ? s3Path(g.resource.arn) : undefined;
          return gp !== undefined && within(p, gp);
        });
        if (!admin && !granted) throw denied(`Insufficient Lake Formation permission(s): Required Data Location Access on ${l}`);
        paths.push(p);
      }
      const creds = await mint(ctx, registered!, paths, scope, input.DurationSeconds ?? 3600);
      return {
        Credentials: { AccessKeyId: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey, SessionToken: creds.sessionToken, Expiration: new Date(creds.expiration) },
        AccessibleDataLocations: paths.map((p) => `s3://${p.bucket}/${p.prefix}`),
        CredentialsScope: scope,
      };
    },
  };

  /**
   * The service-linked role reads and writes every location registered with it (Lake Formation keeps an inline
   * policy on the role naming them); called whenever such a location is registered or deregistered.
   */
  async function syncServiceLinkedRole(account: string): Promise<void> {
    const paths = (await store.locations(account)).filter((l) => l.useServiceLinkedRole).flatMap((l) => s3Path(l.arn) ?? []);
    const statements = paths.length ? s3Statements(paths, 'READWRITE') : [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }];
    await roles.serviceLinkedRole({ account, service: LF_SERVICE, roleName: SLR_NAME, policyName: SLR_POLICY, policy: policyDocument(statements) });
  }

  return { handlers, syncServiceLinkedRole };
}
