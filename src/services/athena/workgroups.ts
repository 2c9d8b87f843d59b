/** Workgroups: `primary` in every account and region, result configuration and its enforcement. */
import type { Handlers } from '../../core/service.js';
import type { AthenaOperations, ResultConfiguration, WorkGroupConfiguration } from './api.gen.js';
import { findWorkGroup, invalid, PRIMARY, requireWorkGroup, type AthenaEnv, type WorkGroupDoc } from './context.js';
import { checkOutputLocation } from './locations.js';

const ENGINE = { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' };

function configuration(c: WorkGroupConfiguration | undefined): WorkGroupConfiguration {
  if (c?.ResultConfiguration?.OutputLocation !== undefined) checkOutputLocation(c.ResultConfiguration.OutputLocation);
  return {
    EnforceWorkGroupConfiguration: c?.EnforceWorkGroupConfiguration ?? true,
    PublishCloudWatchMetricsEnabled: c?.PublishCloudWatchMetricsEnabled ?? true,
    RequesterPaysEnabled: c?.RequesterPaysEnabled ?? false,
    EngineVersion: ENGINE,
    ...(c?.ResultConfiguration ? { ResultConfiguration: c.ResultConfiguration } : {}),
    ...(c?.BytesScannedCutoffPerQuery !== undefined ? { BytesScannedCutoffPerQuery: c.BytesScannedCutoffPerQuery } : {}),
  };
}

export function workgroupHandlers(env: AthenaEnv): Handlers<AthenaOperations> {
  return {
    CreateWorkGroup: async (input, ctx) => {
      if (await findWorkGroup(env, ctx, input.Name)) throw invalid('WorkGroup is already created');
      const doc: WorkGroupDoc = { Name: input.Name, State: 'ENABLED', ...(input.Description !== undefined ? { Description: input.Description } : {}), Configuration: configuration(input.Configuration), ...(input.Tags ? { Tags: input.Tags } : {}) };
      if (!(await env.store.putResource(ctx.accountId, ctx.region, 'workgroup', { key: input.Name, workgroup: input.Name, createdAt: env.clock.now(), doc }, false))) throw invalid('WorkGroup is already created');
      return {};
    },
    GetWorkGroup: async (input, ctx) => ({ WorkGroup: await requireWorkGroup(env, ctx, input.WorkGroup) }),
    ListWorkGroups: async (input, ctx) => {
      await findWorkGroup(env, ctx, PRIMARY);
      const all = await env.store.resources<WorkGroupDoc>(ctx.accountId, ctx.region, 'workgroup');
      const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(start) || start < 0) throw invalid('Invalid NextToken');
      const max = input.MaxResults ?? 50;
      const page = all.slice(start, start + max);
      return {
        WorkGroups: page.map((r) => ({ Name: r.doc.Name, State: r.doc.State, Description: r.doc.Description ?? '', CreationTime: new Date(r.createdAt), EngineVersion: ENGINE })),
        ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}),
      };
    },
    UpdateWorkGroup: async (input, ctx) => {
      const wg = await requireWorkGroup(env, ctx, input.WorkGroup);
      const u = input.ConfigurationUpdates;
      const c = wg.Configuration ?? {};
      let rc: ResultConfiguration | undefined = c.ResultConfiguration;
      const ru = u?.ResultConfigurationUpdates;
      if (ru) {
        if (ru.OutputLocation !== undefined) checkOutputLocation(ru.OutputLocation);
        rc = { ...(rc ?? {}) };
        if (ru.RemoveOutputLocation) delete rc.OutputLocation;
        else if (ru.OutputLocation !== undefined) rc.OutputLocation = ru.OutputLocation;
        if (ru.RemoveEncryptionConfiguration) delete rc.EncryptionConfiguration;
        else if (ru.EncryptionConfiguration) rc.EncryptionConfiguration = ru.EncryptionConfiguration;
        if (ru.RemoveExpectedBucketOwner) delete rc.ExpectedBucketOwner;
        else if (ru.ExpectedBucketOwner !== undefined) rc.ExpectedBucketOwner = ru.ExpectedBucketOwner;
        if (ru.RemoveAclConfiguration) delete rc.AclConfiguration;
        else if (ru.AclConfiguration) rc.AclConfiguration = ru.AclConfiguration;
      }
      const next: WorkGroupConfiguration = {
        ...c,
        ...(u?.EnforceWorkGroupConfiguration !== undefined ? { EnforceWorkGroupConfiguration: u.EnforceWorkGroupConfiguration } : {}),
        ...(u?.PublishCloudWatchMetricsEnabled !== undefined ? { PublishCloudWatchMetricsEnabled: u.PublishCloudWatchMetricsEnabled } : {}),
        ...(u?.RequesterPaysEnabled !== undefined ? { RequesterPaysEnabled: u.RequesterPaysEnabled } : {}),
        ...(u?.BytesScannedCutoffPerQuery !== undefined ? { BytesScannedCutoffPerQuery: u.BytesScannedCutoffPerQuery } : {}),
      };
      if (u?.RemoveBytesScannedCutoffPerQuery) delete next.BytesScannedCutoffPerQuery;
      if (rc) next.ResultConfiguration = rc;
      const stored = await env.store.resource<WorkGroupDoc>(ctx.accountId, ctx.region, 'workgroup', wg.Name);
      const doc: WorkGroupDoc = {
        ...(stored?.doc.Tags ? { Tags: stored.doc.Tags } : {}),
        Name: wg.Name,
        State: (input.State as WorkGroupDoc['State'] | undefined) ?? (wg.State as WorkGroupDoc['State']),
        ...((input.Description ?? wg.Description) !== undefined ? { Description: input.Description ?? wg.Description! } : {}),
        Configuration: next,
      };
      await env.store.putResource(ctx.accountId, ctx.region, 'workgroup', { key: wg.Name, workgroup: wg.Name, createdAt: wg.CreationTime.getTime(), doc }, true);
      return {};
    },
    DeleteWorkGroup: async (input, ctx) => {
      if (input.WorkGroup === PRIMARY) throw invalid('Cannot delete primary workgroup');
      await requireWorkGroup(env, ctx, input.WorkGroup);
      const named = await env.store.resources(ctx.accountId, ctx.region, 'named_query', input.WorkGroup);
      const prepared = await env.store.resources(ctx.accountId, ctx.region, 'prepared_statement', input.WorkGroup);
      if ((named.length > 0 || prepared.length > 0) && !input.RecursiveDeleteOption) throw invalid('WorkGroup ' + input.WorkGroup + ' is not empty');
      for (const r of named) await env.store.deleteResource(ctx.accountId, ctx.region, 'named_query', r.key);
      for (const r of prepared) await env.store.deleteResource(ctx.accountId, ctx.region, 'prepared_statement', r.key);
      await env.store.deleteResource(ctx.accountId, ctx.region, 'workgroup', input.WorkGroup);
      return {};
    },
  };
}
