/**
 * The OAM operations. Who may call what is decided before a handler runs (authz.ts; the sink policy for
 * CreateLink/UpdateLink from another account); the handlers check what AWS checks about the resources.
 */
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../core/context.js';
import { ids } from '../../core/ids.js';
import { keysetPage } from '../../core/pagination.js';
import type { Handlers } from '../../core/service.js';
import { OamErrors, type CreateLinkOutput, type LinkConfiguration, type OamOperations } from './api.gen.js';
import { resolveLabel, type AccountFacts } from './domain/label.js';
import { oamArn, parseOamArn, resolveIdentifier, type OamKind } from './domain/names.js';
import type { Link, OamStore, Sink } from './store.js';

/** A source account links to at most five monitoring accounts (AWS's quota). */
export const MAX_LINKS_PER_SOURCE = 5;
const MAX_TAGS = 50;

export interface HandlerDeps {
  readonly store: OamStore;
  /** Name and email of an account (for link labels); undefined for an account mlzone does not know. */
  readonly account: (accountId: string) => Promise<AccountFacts | undefined>;
  /** IAM's refusal text for a resource policy document, or undefined when it is acceptable. */
  readonly validatePolicy: (document: string) => string | undefined;
}

function noSuch(kind: OamKind, identifier: string): Error {
  return OamErrors.ResourceNotFoundException(`${kind === 'sink' ? 'Sink' : 'Link'} not found: ${identifier}`);
}

function checkTags(tags: Readonly<Record<string, string>> | undefined, error: (m: string) => Error): void {
  for (const key of Object.keys(tags ?? {})) {
    if (key.toLowerCase().startsWith('aws:')) throw error(`Tag keys starting with "aws:" are reserved for system use: ${key}`);
  }
}

/** The sink an identifier names in the caller's view; ResourceNotFoundException when there is none. */
async function findSink(store: OamStore, identifier: string, ctx: RequestContext, trx?: Kysely<any>): Promise<Sink> {
  const name = resolveIdentifier(identifier, 'sink', ctx);
  const sink = name ? await store.sink(name.arn, trx) : undefined;
  if (!sink) throw noSuch('sink', identifier);
  return sink;
}

async function findLink(store: OamStore, identifier: string, ctx: RequestContext, trx?: Kysely<any>): Promise<Link> {
  const name = resolveIdentifier(identifier, 'link', ctx);
  const link = name ? await store.link(name.arn, trx) : undefined;
  if (!link) throw noSuch('link', identifier);
  return link;
}

function linkOutput(link: Link, tags?: Record<string, string>): CreateLinkOutput {
  return {
    Arn: link.arn,
    Id: link.id,
    Label: link.label,
    LabelTemplate: link.labelTemplate,
    ResourceTypes: [...link.resourceTypes],
    SinkArn: link.sinkArn,
    ...(link.linkConfiguration ? { LinkConfiguration: link.linkConfiguration as LinkConfiguration } : {}),
    ...(tags ? { Tags: tags } : {}),
  };
}

function sinkOutput(sink: Sink, tags?: Record<string, string>) {
  return { Arn: sink.arn, Id: sink.id, Name: sink.name, ...(tags ? { Tags: tags } : {}) };
}

const invalidToken = () => OamErrors.InvalidParameterException('The NextToken is invalid.');

/**
 * Checks a new link as CreateLink does (same errors) against what is stored; the caller inserts it. Shared with
 * the blueprint seeder so a blueprint link is refused exactly as the API would refuse it.
 */
export async function checkNewLink(
  store: OamStore,
  input: { readonly sourceAccount: string; readonly region: string; readonly sinkIdentifier: string },
  trx: Kysely<any>,
  pending: readonly Link[] = [],
): Promise<Sink> {
  const name = parseOamArn(input.sinkIdentifier);
  if (!name || name.kind !== 'sink') throw OamErrors.InvalidParameterException(`SinkIdentifier must be the ARN of a sink: ${input.sinkIdentifier}`);
  if (name.accountId === input.sourceAccount) throw OamErrors.InvalidParameterException('A link cannot be created to a sink in the same account.');
  if (name.region !== input.region) throw OamErrors.InvalidParameterException(`The sink ${name.arn} is not in this Region (${input.region}).`);
  const sink = await store.sink(name.arn, trx);
  if (!sink) throw OamErrors.InvalidParameterException(`Sink not found: ${name.arn}`);
  const existing = [...(await store.links(input.sourceAccount, input.region, trx)), ...pending.filter((l) => l.accountId === input.sourceAccount && l.region === input.region)];
  const duplicate = existing.find((l) => l.sinkArn === sink.arn);
  if (duplicate) throw OamErrors.ConflictException(`A link to sink ${sink.arn} already exists in this account: ${duplicate.arn}`);
  if (existing.length >= MAX_LINKS_PER_SOURCE) {
    throw OamErrors.ServiceQuotaExceededException(`A source account can be linked to at most ${MAX_LINKS_PER_SOURCE} monitoring accounts.`);
  }
  return sink;
}

/** The facts a label is made of; an unknown account is named by its id. */
export async function labelFor(deps: Pick<HandlerDeps, 'account'>, accountId: string, template: string): Promise<string> {
  const facts = (await deps.account(accountId)) ?? { name: accountId, email: accountId };
  return resolveLabel(template, facts);
}

export function oamHandlers(deps: HandlerDeps): Handlers<OamOperations> {
  const { store } = deps;
  return {
    CreateSink: async (input, ctx) => {
      checkTags(input.Tags, OamErrors.InvalidParameterException);
      const id = ids.uuid();
      const sink: Sink = { arn: oamArn('sink', ctx.region, ctx.accountId, id), accountId: ctx.accountId, region: ctx.region, id, name: input.Name, createdAt: ctx.now };
      await store.transaction(async (trx) => {
        const existing = await store.sinkOf(ctx.accountId, ctx.region, trx);
        if (existing) throw OamErrors.ConflictException(`A sink already exists in this account and Region: ${existing.arn}`);
        await store.insertSinks([sink], trx);
        await store.putTags(sink.arn, input.Tags ?? {}, trx);
      });
      return sinkOutput(sink, input.Tags ?? {});
    },
    GetSink: async (input, ctx) => {
      const sink = await findSink(store, input.Identifier, ctx);
      return sinkOutput(sink, input.IncludeTags ? await store.tags(sink.arn) : undefined);
    },
    ListSinks: async (input, ctx) => {
      const page = keysetPage(await store.sinks(ctx.accountId, ctx.region), (s) => s.arn, `ListSinks/${ctx.accountId}/${ctx.region}`, input.MaxResults ?? 100, input.NextToken, invalidToken);
      return { Items: page.items.map((s) => ({ Arn: s.arn, Id: s.id, Name: s.name })), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    DeleteSink: async (input, ctx) => {
      await store.transaction(async (trx) => {
        const sink = await findSink(store, input.Identifier, ctx, trx);
        // Links to it stay in their source accounts but share nothing any more (sourceAccounts joins on the sink).
        await store.deleteSink(sink.arn, trx);
      });
      return {};
    },
    PutSinkPolicy: async (input, ctx) => {
      const sink = await findSink(store, input.SinkIdentifier, ctx);
      const refusal = deps.validatePolicy(input.Policy);
      if (refusal !== undefined) throw OamErrors.InvalidParameterException(`Invalid policy: ${refusal}`);
      await store.setSinkPolicy(sink.arn, input.Policy);
      return { SinkArn: sink.arn, SinkId: sink.id, Policy: input.Policy };
    },
    GetSinkPolicy: async (input, ctx) => {
      const sink = await findSink(store, input.SinkIdentifier, ctx);
      return { SinkArn: sink.arn, SinkId: sink.id, ...(sink.policy !== undefined ? { Policy: sink.policy } : {}) };
    },
    ListAttachedLinks: async (input, ctx) => {
      const sink = await findSink(store, input.SinkIdentifier, ctx);
      const page = keysetPage(await store.attached(sink.arn), (l) => l.arn, `ListAttachedLinks/${sink.arn}`, input.MaxResults ?? 100, input.NextToken, invalidToken);
      return {
        Items: page.items.map((l) => ({ Label: l.label, LinkArn: l.arn, ResourceTypes: [...l.resourceTypes] })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },
    CreateLink: async (input, ctx) => {
      checkTags(input.Tags, OamErrors.InvalidParameterException);
      const label = await labelFor(deps, ctx.accountId, input.LabelTemplate);
      const id = ids.uuid();
      return store.transaction(async (trx) => {
        const sink = await checkNewLink(store, { sourceAccount: ctx.accountId, region: ctx.region, sinkIdentifier: input.SinkIdentifier }, trx);
        const link: Link = {
          arn: oamArn('link', ctx.region, ctx.accountId, id),
          accountId: ctx.accountId,
          region: ctx.region,
          id,
          sinkArn: sink.arn,
          label,
          labelTemplate: input.LabelTemplate,
          resourceTypes: [...new Set(input.ResourceTypes)],
          ...(input.LinkConfiguration ? { linkConfiguration: input.LinkConfiguration } : {}),
          createdAt: ctx.now,
        };
        await store.insertLinks([link], trx);
        await store.putTags(link.arn, input.Tags ?? {}, trx);
        return linkOutput(link, input.Tags ?? {});
      });
    },
    GetLink: async (input, ctx) => {
      const link = await findLink(store, input.Identifier, ctx);
      return linkOutput(link, input.IncludeTags ? await store.tags(link.arn) : undefined);
    },
    ListLinks: async (input, ctx) => {
      const page = keysetPage(await store.links(ctx.accountId, ctx.region), (l) => l.arn, `ListLinks/${ctx.accountId}/${ctx.region}`, input.MaxResults ?? 5, input.NextToken, invalidToken);
      return {
        Items: page.items.map((l) => ({ Arn: l.arn, Id: l.id, Label: l.label, ResourceTypes: [...l.resourceTypes], SinkArn: l.sinkArn })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },
    UpdateLink: async (input, ctx) =>
      store.transaction(async (trx) => {
        const link = await findLink(store, input.Identifier, ctx, trx);
        const updated: Link = {
          ...link,
          resourceTypes: [...new Set(input.ResourceTypes)],
          ...(input.LinkConfiguration ? { linkConfiguration: input.LinkConfiguration } : {}),
        };
        await store.updateLink(updated, trx);
        return linkOutput(updated, input.IncludeTags ? await store.tags(link.arn, trx) : undefined);
      }),
    DeleteLink: async (input, ctx) => {
      await store.transaction(async (trx) => {
        const link = await findLink(store, input.Identifier, ctx, trx);
        await store.deleteLink(link.arn, trx);
      });
      return {};
    },
    TagResource: async (input) => {
      checkTags(input.Tags, OamErrors.ValidationException);
      await store.transaction(async (trx) => {
        const arn = await existing(store, input.ResourceArn, trx);
        const merged = { ...(await store.tags(arn, trx)), ...input.Tags };
        if (Object.keys(merged).length > MAX_TAGS) throw OamErrors.TooManyTagsException(`A resource can have at most ${MAX_TAGS} tags.`);
        await store.putTags(arn, input.Tags, trx);
      });
      return {};
    },
    UntagResource: async (input) => {
      await store.transaction(async (trx) => store.removeTags(await existing(store, input.ResourceArn, trx), input.TagKeys, trx));
      return {};
    },
    ListTagsForResource: async (input) => ({ Tags: await store.tags(await existing(store, input.ResourceArn)) }),
  };
}

/** The ARN of a stored sink or link; ResourceNotFoundException otherwise (tagging names resources by ARN only). */
async function existing(store: OamStore, resourceArn: string, trx?: Kysely<any>): Promise<string> {
  const name = parseOamArn(resourceArn);
  const found = name ? (name.kind === 'sink' ? await store.sink(name.arn, trx) : await store.link(name.arn, trx)) : undefined;
  if (!found) throw OamErrors.ResourceNotFoundException(`Resource not found: ${resourceArn}`);
  return found.arn;
}
