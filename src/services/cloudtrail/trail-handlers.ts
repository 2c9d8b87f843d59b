/**
 * CreateTrail, UpdateTrail, DeleteTrail, GetTrail, DescribeTrails, StartLogging, StopLogging and
 * GetTrailStatus. An organization trail may be created only in the organization's management account. Before
 * a trail is saved, CloudTrail proves it can write to its bucket: an empty `AWSLogs/…/` object is put there as
 * the CloudTrail service principal, so a bucket policy without AWS's required statements refuses the trail
 * with InsufficientS3BucketPolicyException, as on AWS.
 */
import type { RequestContext } from '../../core/context.js';
import type { Handlers } from '../../core/service.js';
import { CloudTrailErrors as E } from './api.gen.js';
import type { CloudTrailOperations, Trail } from './api.gen.js';
import type { TrailOrganization, TrailWriter } from './delivery.js';
import type { TrailRecord, TrailStore } from './trails.js';
import { trailArn } from './trails.js';

type TrailOps = 'CreateTrail' | 'UpdateTrail' | 'DeleteTrail' | 'GetTrail' | 'DescribeTrails' | 'StartLogging' | 'StopLogging' | 'GetTrailStatus';

const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;
const TRAIL_ARN = /^arn:aws:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;

function checkName(name: string): void {
  if (name.length < 3 || name.length > 128) throw E.InvalidTrailNameException(`Trail name must be between 3 and 128 characters long: ${name}`);
  if (!TRAIL_NAME.test(name) || /[._-]{2}/.test(name)) {
    throw E.InvalidTrailNameException(
      'Trail name must start with a letter or number, end with a letter or number, contain only letters, numbers, periods, underscores and hyphens, and have no adjacent periods, underscores or hyphens.',
    );
  }
}

/** The ARN a Name parameter means: a trail ARN as given, or a name in the caller's account and region. */
function arnOf(nameOrArn: string, ctx: RequestContext): string {
  if (nameOrArn.startsWith('arn:')) {
    if (!TRAIL_ARN.test(nameOrArn)) throw E.CloudTrailARNInvalidException(`Invalid trail ARN: ${nameOrArn}`);
    return nameOrArn;
  }
  checkName(nameOrArn);
  return trailArn({ homeRegion: ctx.region, accountId: ctx.accountId, name: nameOrArn });
}

export function trailShape(t: TrailRecord): Trail {
  return {
    Name: t.name,
    S3BucketName: t.bucket,
    ...(t.prefix ? { S3KeyPrefix: t.prefix } : {}),
    IncludeGlobalServiceEvents: t.includeGlobalServiceEvents,
    IsMultiRegionTrail: t.isMultiRegionTrail,
    HomeRegion: t.homeRegion,
    TrailARN: trailArn(t),
    LogFileValidationEnabled: false,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: t.isOrganizationTrail,
  };
}

export interface TrailDeps {
  readonly trails: TrailStore;
  readonly writer?: TrailWriter;
  readonly org?: TrailOrganization;
  readonly now: () => number;
  /** Delivers what waits (StopLogging and DeleteTrail deliver the events logged before them). */
  readonly flush: () => Promise<void>;
}

export function trailHandlers(deps: TrailDeps): Pick<Handlers<CloudTrailOperations>, TrailOps> {
  const { trails } = deps;

  async function own(nameOrArn: string, ctx: RequestContext): Promise<TrailRecord> {
    const arn = arnOf(nameOrArn, ctx);
    const t = await trails.get(arn);
    if (!t || t.accountId !== ctx.accountId) throw E.TrailNotFoundException(`Unknown trail: ${arn} for the user: ${ctx.accountId}`);
    return t;
  }

  async function checkOrganization(ctx: RequestContext): Promise<string> {
    const org = await deps.org?.organization();
    if (!org) throw E.OrganizationsNotInUseException('This account is not a member of an organization.');
    if (org.managementAccountId !== ctx.accountId) {
      throw E.NotOrganizationMasterAccountException('The request failed because the account is not the management account of the organization.');
    }
    return org.id;
  }

  /** Proves the bucket accepts CloudTrail's files for this trail (see the module comment). */
  async function checkBucket(t: TrailRecord, orgId: string | undefined): Promise<void> {
    if (!deps.writer) return;
    const key = `${t.prefix ? `${t.prefix}/` : ''}AWSLogs/${orgId ? `${orgId}/` : ''}${t.accountId}/`;
    try {
      await deps.writer.put({ bucket: t.bucket, key, body: new Uint8Array(), trailArn: trailArn(t), trailAccountId: t.accountId });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'NoSuchBucket') throw E.S3BucketDoesNotExistException(`S3 bucket ${t.bucket} does not exist.`);
      if (code === 'AccessDenied') throw E.InsufficientS3BucketPolicyException(`Incorrect S3 bucket policy is detected for bucket: ${t.bucket}`);
      throw e;
    }
  }

  return {
    CreateTrail: async (input, ctx) => {
      checkName(input.Name);
      const t: TrailRecord = {
        accountId: ctx.accountId,
        homeRegion: ctx.region,
        name: input.Name,
        bucket: input.S3BucketName,
        ...(input.S3KeyPrefix ? { prefix: input.S3KeyPrefix } : {}),
        isOrganizationTrail: input.IsOrganizationTrail ?? false,
        isMultiRegionTrail: input.IsMultiRegionTrail ?? false,
        includeGlobalServiceEvents: input.IncludeGlobalServiceEvents ?? true,
        logging: false,
        createdAt: deps.now(),
      };
      if (await trails.get(trailArn(t))) throw E.TrailAlreadyExistsException(`Trail ${t.name} already exists for customer: ${ctx.accountId}`);
      const orgId = t.isOrganizationTrail ? await checkOrganization(ctx) : undefined;
      await checkBucket(t, orgId);
      await trails.put(t, true);
      const { HomeRegion: _h, HasCustomEventSelectors: _c, HasInsightSelectors: _i, ...out } = trailShape(t);
      return out;
    },

    UpdateTrail: async (input, ctx) => {
      const old = await own(input.Name, ctx);
      const t: TrailRecord = {
        ...old,
        ...(input.S3BucketName !== undefined ? { bucket: input.S3BucketName } : {}),
        ...(input.S3KeyPrefix !== undefined ? { prefix: input.S3KeyPrefix || undefined } : {}),
        ...(input.IsOrganizationTrail !== undefined ? { isOrganizationTrail: input.IsOrganizationTrail } : {}),
        ...(input.IsMultiRegionTrail !== undefined ? { isMultiRegionTrail: input.IsMultiRegionTrail } : {}),
        ...(input.IncludeGlobalServiceEvents !== undefined ? { includeGlobalServiceEvents: input.IncludeGlobalServiceEvents } : {}),
      };
      const orgId = t.isOrganizationTrail ? await checkOrganization(ctx) : undefined;
      if (t.bucket !== old.bucket || t.prefix !== old.prefix || t.isOrganizationTrail !== old.isOrganizationTrail) await checkBucket(t, orgId);
      await deps.flush();
      await trails.put(t, false);
      const { HomeRegion: _h, HasCustomEventSelectors: _c, HasInsightSelectors: _i, ...out } = trailShape(t);
      return out;
    },

    DeleteTrail: async (input, ctx) => {
      const t = await own(input.Name, ctx);
      await deps.flush();
      await trails.delete(t);
      return {};
    },

    GetTrail: async (input, ctx) => ({ Trail: trailShape(await own(input.Name, ctx)) }),

    DescribeTrails: async (input, ctx) => {
      const all = [...(await trails.all()).values()].filter((t) => t.accountId === ctx.accountId && (t.homeRegion === ctx.region || t.isMultiRegionTrail));
      const wanted = input.trailNameList;
      const picked = wanted && wanted.length > 0 ? all.filter((t) => wanted.some((w) => w === t.name || w === trailArn(t))) : all;
      return { trailList: picked.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(trailShape) };
    },

    StartLogging: async (input, ctx) => {
      const t = await own(input.Name, ctx);
      if (!t.logging) await trails.put({ ...t, logging: true, startedAt: deps.now() }, false);
      return {};
    },

    StopLogging: async (input, ctx) => {
      const t = await own(input.Name, ctx);
      if (t.logging) {
        await deps.flush();
        await trails.put({ ...t, logging: false, stoppedAt: deps.now() }, false);
      }
      return {};
    },

    GetTrailStatus: async (input, ctx) => {
      const t = await own(input.Name, ctx);
      const s = trails.status.get(trailArn(t)) ?? {};
      const date = (ms: number | undefined) => (ms !== undefined ? new Date(ms) : undefined);
      return {
        IsLogging: t.logging,
        ...(s.latestDeliveryError ? { LatestDeliveryError: s.latestDeliveryError } : {}),
        ...(s.latestDeliveryTime !== undefined ? { LatestDeliveryTime: date(s.latestDeliveryTime) } : {}),
        ...(s.latestDeliveryAttemptTime !== undefined ? { LatestDeliveryAttemptTime: new Date(s.latestDeliveryAttemptTime).toISOString() } : {}),
        ...(s.latestDeliveryAttemptTime !== undefined ? { LatestDeliveryAttemptSucceeded: s.latestDeliveryError ? '' : new Date(s.latestDeliveryAttemptTime).toISOString() } : {}),
        ...(t.startedAt !== undefined ? { StartLoggingTime: date(t.startedAt), TimeLoggingStarted: new Date(t.startedAt).toISOString() } : {}),
        ...(t.stoppedAt !== undefined ? { StopLoggingTime: date(t.stoppedAt), TimeLoggingStopped: new Date(t.stoppedAt).toISOString() } : {}),
      };
    },
  };
}
