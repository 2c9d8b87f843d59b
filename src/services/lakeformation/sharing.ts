/**
 * RAM follows Lake Formation's grants to other accounts: what a grant to another account (or organization) reaches —
 * the named database or table, or every database or table an LFTagPolicy grant matches now — is what that
 * recipient's `LakeFormation-V3-…` share carries. `syncShares` recomputes it after anything that can change it
 * (grant, revoke, retag, a tag or expression changed or deleted, a table created or dropped), so resource
 * associations come and go with the grants and a recipient left with nothing loses its share.
 */
import { columnNames, type Access } from './access.js';
import { columnTags, matches, tableTags } from './lf-tags.js';
import { IAM_ALLOWED_PRINCIPALS, sharedArn, type StoredGrant, type TagPolicyResource } from './model.js';

const ACCOUNT = /^\d{12}$/;

/** The account (or organization / OU) a principal belongs to, when it is outside `account`. */
export function externalRecipient(principal: string, account: string): string | undefined {
  if (principal === IAM_ALLOWED_PRINCIPALS) return undefined;
  if (ACCOUNT.test(principal)) return principal === account ? undefined : principal;
  if (principal.startsWith('arn:aws:organizations::')) return principal;
  const m = /^arn:aws:iam::(\d{12}):/.exec(principal);
  return m && m[1] !== account ? m[1] : undefined;
}

export function createSharing(access: Access) {
  const { store, glue, ram } = access;

  /** The Glue ARNs an LFTagPolicy grant reaches now: matching databases, or tables with a matching table or column. */
  async function reached(r: TagPolicyResource, region: string): Promise<string[]> {
    const out: string[] = [];
    for (const d of await glue.databases(r.catalogId)) {
      if (d.TargetDatabase) continue;
      const dbTags = await access.assignedTags(r.catalogId, d.Name);
      if (r.resourceType === 'DATABASE') {
        if (matches(r.expression, dbTags.database)) out.push(`arn:aws:glue:${region}:${r.catalogId}:database/${d.Name}`);
        continue;
      }
      for (const t of await glue.tables(r.catalogId, d.Name)) {
        if (t.TargetTable) continue;
        const tags = await access.assignedTags(r.catalogId, d.Name, t.Name);
        if (matches(r.expression, tableTags(tags)) || columnNames(t).some((c) => matches(r.expression, columnTags(tags, c.toLowerCase())))) out.push(`arn:aws:glue:${region}:${r.catalogId}:table/${d.Name}/${t.Name}`);
      }
    }
    return out;
  }

  /** What one grant of `account` carries to its recipient through RAM. */
  const carried = async (g: StoredGrant, region: string): Promise<string[]> => {
    const r = g.resource;
    if (r.kind === 'tagpolicy') return reached(r, region);
    const arn = sharedArn(r, region);
    return arn ? [arn] : [];
  };

  /**
   * Each recipient's share carries exactly what the account's grants to it reach now; each grant records its share.
   * `invite`: the recipient of a new grant, which gets a new invitation if it declined the last one.
   */
  async function syncShares(account: string, region: string, now: number, invite?: string): Promise<void> {
    const grants = (await store.grants(account)).filter((g) => externalRecipient(g.principal, account) !== undefined && g.resource.catalogId === account);
    const reach = new Map<StoredGrant, string[]>();
    const wanted = new Map<string, string[]>();
    for (const g of grants) {
      const arns = await carried(g, region);
      reach.set(g, arns);
      if (!arns.length) continue;
      const recipient = externalRecipient(g.principal, account)!;
      wanted.set(recipient, [...new Set([...(wanted.get(recipient) ?? []), ...arns])]);
    }
    const shares = await ram.reconcile(account, region, wanted, now, invite);
    for (const g of grants) {
      const arn = reach.get(g)!.length ? shares.get(externalRecipient(g.principal, account)!) : undefined;
      if (arn === g.shareArn) continue;
      const { shareArn: _old, ...rest } = g;
      await store.putGrant(account, arn ? { ...rest, shareArn: arn } : rest);
    }
  }

  return { syncShares };
}

export type Sharing = ReturnType<typeof createSharing>;
