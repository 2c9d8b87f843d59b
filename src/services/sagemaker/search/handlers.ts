/**
 * Search over the resources mlzone keeps: ModelPackage, ModelPackageGroup, Endpoint, Model and TrainingJob.
 * The handler loads the candidates — the caller's account and the request's region, or with
 * `CrossAccountFilterOption: CrossAccount` the groups and versions other accounts made discoverable — builds
 * their search records and leaves checking, filtering, sorting and paging to `domain/`.
 *
 * The other resource types of the model's enum (Experiment, Pipeline, FeatureGroup, Project …) are valid
 * requests that find nothing: mlzone keeps no such resources.
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../../../core/context.js';
import type { SearchRequest, SearchResponse } from '../api.gen.js';
import type { AreaContext, SageMakerHandlers } from '../context.js';
import { errors } from '../domain/errors.js';
import { store, type ResourceRecord, type Tag } from '../store.js';
import { checkExpression, matches } from './domain/expression.js';
import { DEFAULT_SORT_BY, searchPage, type Candidate } from './domain/order.js';
import { KIND_OF, endpointsServing, isKnownProperty, isSearchable, searchBody, searchRecord, type SearchableResource } from './domain/resources.js';
import { groupArnOfPackage, policyNamesAccount } from '../domain/sharing.js';
import { checkVisibilityConditions, visibilityFilter } from './domain/visibility.js';

interface Loaded extends Candidate {
  readonly body: Record<string, unknown>;
  /** The resource's own tags (visibility conditions apply to them even when the record shows none). */
  readonly tags: readonly Tag[];
}

type Executor = AreaContext['db']['kysely'];

/** Groups of other accounts in the caller's region whose policy names the caller's account, or their versions. */
async function discoverable(ex: Executor, resource: SearchableResource, rc: RequestContext): Promise<ResourceRecord[]> {
  if (resource !== 'ModelPackageGroup' && resource !== 'ModelPackage') return [];
  const elsewhere = (r: ResourceRecord) => r.region === rc.region && r.accountId !== rc.accountId;
  const groups = (await store.allOf(ex, 'model-package-group')).filter((g) => elsewhere(g) && policyNamesAccount(g.policy, rc.accountId));
  if (resource === 'ModelPackageGroup') return groups;
  const shared = new Set(groups.map((g) => g.arn));
  return (await store.allOf(ex, 'model-package')).filter((p) => elsewhere(p) && shared.has(groupArnOfPackage(p.arn) ?? ''));
}

async function candidates(ctx: AreaContext, resource: SearchableResource, rc: RequestContext, crossAccount: boolean): Promise<Loaded[]> {
  const ex = ctx.db.kysely;
  const records = crossAccount ? await discoverable(ex, resource, rc) : await store.list(ex, { kind: KIND_OF[resource], accountId: rc.accountId, region: rc.region });
  let configs: Array<Record<string, unknown>> = [];
  let endpoints: Array<Record<string, unknown>> = [];
  if (resource === 'Model' && records.length > 0) {
    const where = { accountId: rc.accountId, region: rc.region };
    configs = (await store.list(ex, { kind: 'endpoint-config', ...where })).map((r) => r.doc);
    endpoints = (await store.list(ex, { kind: 'endpoint', ...where })).map((r) => r.doc);
  }
  return Promise.all(
    records.map(async (r) => {
      const tags = await store.tags(ex, r.arn);
      const body = searchBody(resource, {
        doc: r.doc,
        // Resources discovered in another account are shown without their tags, as the Developer Guide says of
        // discoverable feature groups ("viewed as if they were in their own account (excluding tags)").
        ...(crossAccount ? {} : { tags }),
        ...(resource === 'Model' ? { endpoints: endpointsServing(r.name, configs, endpoints) } : {}),
      });
      return { arn: r.arn, createdAt: r.createdAt, modifiedAt: r.modifiedAt, body, tags };
    }),
  );
}

/** Names the listing a NextToken belongs to: the same search by the same account in the same region. */
function listingScope(i: SearchRequest, rc: RequestContext): string {
  const what = [rc.accountId, rc.region, i.Resource, i.SearchExpression ?? null, i.SortBy ?? DEFAULT_SORT_BY, i.SortOrder ?? 'Descending', i.CrossAccountFilterOption ?? null, i.VisibilityConditions ?? null];
  return `Search/${createHash('sha256').update(JSON.stringify(what)).digest('base64url')}`;
}

export function searchHandlers(ctx: AreaContext): SageMakerHandlers {
  return {
    Search: async (i, rc): Promise<SearchResponse> => {
      const resource = isSearchable(i.Resource) ? i.Resource : undefined;
      checkExpression(resource, i.SearchExpression);
      if (resource !== undefined && i.SortBy !== undefined && !isKnownProperty(resource, i.SortBy)) throw errors.validation(`Unknown property name: ${i.SortBy}`);
      checkVisibilityConditions(i.VisibilityConditions);
      if (resource === undefined) return { Results: [], TotalHits: { Value: 0, Relation: 'EqualTo' } };

      const visible = visibilityFilter(i.VisibilityConditions);
      const found = (await candidates(ctx, resource, rc, i.CrossAccountFilterOption === 'CrossAccount')).filter(
        (c) => visible(c.tags) && matches(resource, c.body, i.SearchExpression),
      );
      const page = searchPage(resource, found, {
        ...(i.SortBy !== undefined ? { sortBy: i.SortBy } : {}),
        ...(i.SortOrder !== undefined ? { sortOrder: i.SortOrder } : {}),
        ...(i.MaxResults !== undefined ? { maxResults: i.MaxResults } : {}),
        ...(i.NextToken !== undefined ? { nextToken: i.NextToken } : {}),
        scope: listingScope(i, rc),
      });
      return {
        Results: page.items.map((c) => searchRecord(resource, c.body)),
        ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
        TotalHits: { Value: found.length, Relation: 'EqualTo' },
      };
    },
  };
}
