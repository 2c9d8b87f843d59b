/**
 * Named LF-Tag expressions: Create/Get/Update/Delete/ListLFTagExpressions, who may do what with one (data lake
 * admins; its creator, who holds implicit DESCRIBE, ALTER, DROP and GRANT_WITH_LF_TAG_EXPRESSION on it; grantees of
 * an `LFTagExpression` resource), and granting an `LFTagPolicy` by `ExpressionName`. Such a policy follows the saved
 * expression (access.ts resolves it when grants are read), so updating the expression changes what every grant
 * made with it reaches, and RAM follows for other accounts.
 */
import type { RequestContext } from '../../core/context.js';
import { AwsError } from '../../core/errors.js';
import { keysetPage } from '../../core/pagination.js';
import type { Handlers } from '../../core/service.js';
import { principalIds, type Access } from './access.js';
import type { LakeFormationOperations, LFTagExpression } from './api.gen.js';
import { expressionView, normaliseExpression, type TagExpression } from './lf-tags.js';
import type { createLFTags } from './lf-tag-handlers.js';
import type { GrantResource, StoredTagExpression } from './model.js';
import type { Sharing } from './sharing.js';

type ExpressionOps = 'CreateLFTagExpression' | 'GetLFTagExpression' | 'UpdateLFTagExpression' | 'DeleteLFTagExpression' | 'ListLFTagExpressions';

/** Lake Formation's quota of LF-Tag expressions in an account. */
export const MAX_EXPRESSIONS = 1000;

const invalid = (m: string) => new AwsError('InvalidInputException', m);
const notFound = (name: string) => new AwsError('EntityNotFoundException', `LF-Tag expression ${name} not found.`);
const denied = (what: string, on: string) => new AwsError('AccessDeniedException', `Insufficient Lake Formation permission(s): Required ${what} on ${on}`);
const badToken = () => invalid('Invalid NextToken');

/** What each operation needs on the expression, in Lake Formation's permission words. */
const NEEDS = { DESCRIBE: 'Describe', ALTER: 'Alter', DROP: 'Drop', GRANT_WITH_LF_TAG_EXPRESSION: 'Grant With LF-Tag Expression' } as const;

export function createLFTagExpressions(access: Access, tags: ReturnType<typeof createLFTags>, sharing: Sharing) {
  const { store } = access;

  async function require(catalogId: string, name: string): Promise<StoredTagExpression> {
    const e = await store.tagExpression(catalogId, name);
    if (!e) throw notFound(name);
    return e;
  }

  /** Every key and value of the expression exists in the catalog's LF-Tags (AWS refuses an expression otherwise). */
  async function checked(catalogId: string, expression: Parameters<typeof normaliseExpression>[0]): Promise<TagExpression> {
    const e = normaliseExpression(expression);
    for (const t of e) await tags.definedValues(catalogId, t.key, t.values);
    return e;
  }

  /**
   * The caller holds `permission` on the expression: a data lake admin of its catalog, its creator, or a grantee of
   * the `LFTagExpression` resource (`ALL` covers every permission); another account's principal through a grant of
   * the owner's to it or to its account.
   */
  async function holds(ctx: RequestContext, catalogId: string, e: StoredTagExpression, permission: keyof typeof NEEDS): Promise<boolean> {
    const ids = principalIds(ctx);
    if (catalogId === ctx.accountId && ((await access.isAdmin(ctx, catalogId)) || ids.includes(e.createdBy))) return true;
    const holders = catalogId === ctx.accountId ? ids : [...ids, ctx.accountId];
    const grants = [...(await store.grants(catalogId)), ...(catalogId === ctx.accountId ? [] : await store.grants(ctx.accountId))];
    return grants.some((g) => {
      const r = g.resource;
      if (!holders.includes(g.principal) || r.kind !== 'tagexpression' || r.catalogId !== catalogId || r.name !== e.name) return false;
      return g.permissions.includes(permission) || g.permissions.includes('ALL');
    });
  }

  /**
   * Who may grant, besides a data lake admin and a holder of the grant option: on the expression itself its creator;
   * an LFTagPolicy by ExpressionName whoever holds GRANT_WITH_LF_TAG_EXPRESSION on the expression.
   */
  async function mayGrant(ctx: RequestContext, account: string, r: GrantResource, perms: readonly string[]): Promise<boolean> {
    if (r.kind === 'tagexpression') {
      const e = await store.tagExpression(r.catalogId, r.name);
      return e !== undefined && r.catalogId === account && principalIds(ctx).includes(e.createdBy) && perms.length > 0;
    }
    if (r.kind === 'tagpolicy' && r.expressionName !== undefined) {
      const e = await store.tagExpression(r.catalogId, r.expressionName);
      return e !== undefined && (await holds(ctx, r.catalogId, e, 'GRANT_WITH_LF_TAG_EXPRESSION'));
    }
    return false;
  }

  const view = (catalogId: string, e: StoredTagExpression): LFTagExpression => ({
    Name: e.name,
    ...(e.description !== undefined ? { Description: e.description } : {}),
    CatalogId: catalogId,
    Expression: expressionView(e.expression),
  });

  /** Drops the grants on the expression and the LF-Tag policies made with its name. */
  async function dropGrants(catalogId: string, name: string): Promise<void> {
    for (const { account, grant } of await store.allGrants()) {
      const r = grant.resource;
      if (r.catalogId !== catalogId) continue;
      if ((r.kind === 'tagexpression' && r.name === name) || (r.kind === 'tagpolicy' && r.expressionName === name)) await store.deleteGrant(account, grant);
    }
  }

  const handlers: Handlers<Pick<LakeFormationOperations, ExpressionOps>> = {
    CreateLFTagExpression: async (input, ctx) => {
      const account = input.CatalogId ?? ctx.accountId;
      const ids = principalIds(ctx);
      const creator =
        account === ctx.accountId &&
        ((await access.isAdmin(ctx, account)) ||
          (await store.grants(account)).some((g) => ids.includes(g.principal) && g.resource.kind === 'catalog' && g.resource.catalogId === account && (g.permissions.includes('CREATE_LF_TAG_EXPRESSION') || g.permissions.includes('ALL'))));
      if (!creator) throw denied('Create LF-Tag Expression', 'Catalog');
      const expression = await checked(account, input.Expression);
      // A creator that is not an admin grants with the expression: it needs GRANT_WITH_LF_TAG_EXPRESSION on its pairs.
      if (!(await access.isAdmin(ctx, account))) {
        for (const t of expression) if (!(await tags.mayOnTag(ctx, account, t.key, t.values, 'GRANT_WITH_LF_TAG_EXPRESSION'))) throw denied('Grant With LF-Tag Expression', t.key);
      }
      if ((await store.tagExpressions(account)).length >= MAX_EXPRESSIONS) throw new AwsError('ResourceNumberLimitExceededException', `An account can have at most ${MAX_EXPRESSIONS} LF-Tag expressions.`);
      const e: StoredTagExpression = { name: input.Name, ...(input.Description !== undefined ? { description: input.Description } : {}), expression, createdBy: ctx.principal.roleArn ?? ctx.principal.arn, created: ctx.now, updated: ctx.now };
      if (!(await store.insertTagExpression(account, e))) throw invalid(`LF-Tag expression ${input.Name} already exists.`);
      return {};
    },
    GetLFTagExpression: async (input, ctx) => {
      const catalogId = input.CatalogId ?? ctx.accountId;
      const e = await require(catalogId, input.Name);
      if (!(await holds(ctx, catalogId, e, 'DESCRIBE'))) throw denied(NEEDS.DESCRIBE, e.name);
      const { Name, Description, CatalogId, Expression } = view(catalogId, e);
      return { Name, ...(Description !== undefined ? { Description } : {}), CatalogId, Expression };
    },
    UpdateLFTagExpression: async (input, ctx) => {
      const account = input.CatalogId ?? ctx.accountId;
      const e = await require(account, input.Name);
      if (account !== ctx.accountId || !(await holds(ctx, account, e, 'ALTER'))) throw denied(NEEDS.ALTER, e.name);
      e.expression = await checked(account, input.Expression);
      if (input.Description !== undefined) e.description = input.Description;
      e.updated = ctx.now;
      await store.putTagExpression(account, e);
      // Every policy made with the name now reaches what the new body matches: RAM follows for other accounts.
      await sharing.syncShares(account, ctx.region, ctx.now);
      return {};
    },
    DeleteLFTagExpression: async (input, ctx) => {
      const account = input.CatalogId ?? ctx.accountId;
      const e = await require(account, input.Name);
      if (account !== ctx.accountId || !(await holds(ctx, account, e, 'DROP'))) throw denied(NEEDS.DROP, e.name);
      await store.deleteTagExpression(account, e.name);
      await dropGrants(account, e.name);
      await sharing.syncShares(account, ctx.region, ctx.now);
      return {};
    },
    ListLFTagExpressions: async (input, ctx) => {
      const catalogId = input.CatalogId ?? ctx.accountId;
      const visible: StoredTagExpression[] = [];
      for (const e of await store.tagExpressions(catalogId)) if (await holds(ctx, catalogId, e, 'DESCRIBE')) visible.push(e);
      visible.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const page = keysetPage(visible, (e) => e.name, `ListLFTagExpressions:${catalogId}`, input.MaxResults ?? 100, input.NextToken, badToken);
      return { LFTagExpressions: page.items.map((e) => view(catalogId, e)), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
  };

  return { handlers, require, mayGrant };
}
