/**
 * A link's label: the LabelTemplate with `$AccountName`, `$AccountEmail` and `$AccountEmailNoDomain` replaced by
 * the source account's. The monitoring account shows source data under this label.
 */
export interface AccountFacts {
  readonly name: string;
  readonly email: string;
}

// Longest first, so `$AccountEmailNoDomain` is not read as `$AccountEmail` followed by `NoDomain`.
const VARIABLE = /\$AccountEmailNoDomain|\$AccountEmail|\$AccountName/g;

export function resolveLabel(template: string, account: AccountFacts): string {
  return template.replace(VARIABLE, (v) => {
    if (v === '$AccountName') return account.name;
    if (v === '$AccountEmail') return account.email;
    const at = account.email.indexOf('@');
    return at < 0 ? account.email : account.email.slice(0, at);
  });
}
