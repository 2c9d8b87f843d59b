import type { Handlers } from '../../../core/service.js';
import type { CloudWatchOperations } from '../api.gen.js';
import { CloudWatchErrors } from '../api.gen.js';
import { validateDashboardBody } from '../domain/dashboard.js';
import { decodeToken, encodeToken, type HandlerDeps } from './deps.js';

export function dashboardArn(account: string, name: string): string {
  return `arn:aws:cloudwatch::${account}:dashboard/${name}`;
}

const NAME = /^[A-Za-z0-9_-]+$/;

export function dashboardHandlers(deps: HandlerDeps): Handlers<CloudWatchOperations> {
  return {
    PutDashboard: async (input, ctx) => {
      if (!NAME.test(input.DashboardName)) {
        throw CloudWatchErrors.DashboardInvalidInputError('The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).');
      }
      const check = validateDashboardBody(input.DashboardBody);
      if (!check.ok) {
        if (check.notJson) throw CloudWatchErrors.DashboardInvalidInputError('The field DashboardBody must be a valid JSON object');
        throw CloudWatchErrors.DashboardInvalidInputError(
          `The dashboard body is invalid, there are ${check.messages.length} validation errors: ${JSON.stringify(check.messages.map((m) => ({ dataPath: m.DataPath, message: m.Message })))}`,
          { dashboardValidationMessages: check.messages },
        );
      }
      await deps.store.putDashboard(ctx.accountId, input.DashboardName, input.DashboardBody, ctx.now);
      return { DashboardValidationMessages: [] };
    },
    GetDashboard: async (input, ctx) => {
      const d = await deps.store.dashboard(ctx.accountId, input.DashboardName);
      if (!d) throw CloudWatchErrors.DashboardNotFoundError(`Dashboard ${input.DashboardName} does not exist`);
      return { DashboardName: d.name, DashboardBody: d.body, DashboardArn: dashboardArn(ctx.accountId, d.name) };
    },
    ListDashboards: async (input, ctx) => {
      const prefix = input.DashboardNamePrefix ?? '';
      const all = (await deps.store.dashboards(ctx.accountId)).filter((d) => d.name.startsWith(prefix));
      const offset = decodeToken(input.NextToken, `dash:${prefix}`);
      const page = all.slice(offset, offset + 1000);
      return {
        DashboardEntries: page.map((d) => ({
          DashboardName: d.name,
          DashboardArn: dashboardArn(ctx.accountId, d.name),
          LastModified: new Date(d.lastModified) as never,
          Size: Buffer.byteLength(d.body),
        })),
        ...(offset + 1000 < all.length ? { NextToken: encodeToken(offset + 1000, `dash:${prefix}`) } : {}),
      };
    },
    DeleteDashboards: async (input, ctx) => {
      const existing = new Set((await deps.store.dashboards(ctx.accountId)).map((d) => d.name));
      const missing = input.DashboardNames.filter((n) => !existing.has(n));
      if (missing.length) throw CloudWatchErrors.DashboardNotFoundError(`Dashboard(s) [${missing.join(', ')}] do(es) not exist`);
      await deps.store.deleteDashboards(ctx.accountId, input.DashboardNames);
      return {};
    },
  };
}
