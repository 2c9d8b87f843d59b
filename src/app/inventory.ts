/**
 * What lives in each account, for `mlzone status`: counts of IAM roles and users, S3 buckets, ECR repositories
 * and SageMaker resources (by kind). One grouped count per table, read-only, straight from the tables the
 * services own — a status page must not pay for five directories' caches, and it never writes.
 */
import type { Database } from '../persistence/db.js';

export interface AccountInventory {
  roles: number;
  users: number;
  buckets: number;
  repositories: number;
  /** SageMaker resources by kind (`endpoint`, `model`, `training-job`, …). */
  sagemaker: Record<string, number>;
}

const empty = (): AccountInventory => ({ roles: 0, users: 0, buckets: 0, repositories: 0, sagemaker: {} });

export async function accountInventory(db: Database): Promise<Map<string, AccountInventory>> {
  const out = new Map<string, AccountInventory>();
  const at = (account: string): AccountInventory => {
    let i = out.get(account);
    if (!i) out.set(account, (i = empty()));
    return i;
  };
  const k = db.kysely;
  const count = (table: string) =>
    k.selectFrom(table).select(['account_id']).select((eb) => eb.fn.countAll<number | string>().as('n')).groupBy('account_id').execute() as Promise<Array<{ account_id: string; n: number | string }>>;
  const [roles, users, buckets, repositories, sagemaker] = await Promise.all([
    count('iam_roles'),
    count('iam_users'),
    count('s3_buckets'),
    count('ecr_repository'),
    k
      .selectFrom('sagemaker_resource')
      .select(['account_id', 'kind'])
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .groupBy(['account_id', 'kind'])
      .execute() as Promise<Array<{ account_id: string; kind: string; n: number | string }>>,
  ]);
  for (const r of roles) at(r.account_id).roles = Number(r.n);
  for (const r of users) at(r.account_id).users = Number(r.n);
  for (const r of buckets) at(r.account_id).buckets = Number(r.n);
  for (const r of repositories) at(r.account_id).repositories = Number(r.n);
  for (const r of sagemaker) at(r.account_id).sagemaker[r.kind] = Number(r.n);
  return out;
}
