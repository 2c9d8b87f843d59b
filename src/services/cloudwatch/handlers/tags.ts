import type { Handlers } from '../../../core/service.js';
import type { CloudWatchOperations } from '../api.gen.js';
import { CloudWatchErrors } from '../api.gen.js';
import type { HandlerDeps } from './deps.js';

/** Tags on the caller's alarms and dashboards (the resource must exist in the caller's account). */
async function mustExist(deps: HandlerDeps, arn: string, account: string, region: string): Promise<void> {
  const alarm = /^arn:aws:cloudwatch:([^:]+):(\d{12}):alarm:(.+)$/.exec(arn);
  const dash = /^arn:aws:cloudwatch::(\d{12}):dashboard\/(.+)$/.exec(arn);
  let found = false;
  if (alarm && alarm[2] === account && alarm[1] === region) found = (await deps.store.alarms(account, region)).some((x) => x.alarm.AlarmName === alarm[3]);
  if (dash && dash[1] === account) found = (await deps.store.dashboard(account, dash[2]!)) !== undefined;
  if (!found) throw CloudWatchErrors.ResourceNotFoundException(`The specified resource ${arn} was not found.`);
}

export function tagHandlers(deps: HandlerDeps): Handlers<CloudWatchOperations> {
  return {
    TagResource: async (input, ctx) => {
      await mustExist(deps, input.ResourceARN, ctx.accountId, ctx.region);
      await deps.store.tag(input.ResourceARN, input.Tags);
      return {};
    },
    UntagResource: async (input, ctx) => {
      await mustExist(deps, input.ResourceARN, ctx.accountId, ctx.region);
      await deps.store.untag(input.ResourceARN, input.TagKeys);
      return {};
    },
    ListTagsForResource: async (input, ctx) => {
      await mustExist(deps, input.ResourceARN, ctx.accountId, ctx.region);
      return { Tags: await deps.store.tags(input.ResourceARN) };
    },
  };
}
