import type { AuthzFn } from '../../core/service.js';

/** Lake Formation's IAM actions have no resource types: every operation is authorized on `*`. */
const star = (op: string): AuthzFn => () => [{ action: `lakeformation:${op}`, resource: '*' }];

const OPS = [
  'GetDataLakeSettings', 'PutDataLakeSettings', 'RegisterResource', 'DeregisterResource', 'DescribeResource', 'ListResources',
  'GrantPermissions', 'RevokePermissions', 'BatchGrantPermissions', 'BatchRevokePermissions', 'ListPermissions',
  'CreateDataCellsFilter', 'GetDataCellsFilter', 'UpdateDataCellsFilter', 'DeleteDataCellsFilter', 'ListDataCellsFilter',
  'CreateLFTag', 'GetLFTag', 'ListLFTags', 'UpdateLFTag', 'DeleteLFTag', 'AddLFTagsToResource', 'RemoveLFTagsFromResource', 'GetResourceLFTags',
  'SearchTablesByLFTags', 'SearchDatabasesByLFTags',
  'CreateLFTagExpression', 'GetLFTagExpression', 'UpdateLFTagExpression', 'DeleteLFTagExpression', 'ListLFTagExpressions',
  'CreateLakeFormationOptIn', 'DeleteLakeFormationOptIn', 'ListLakeFormationOptIns',
];

/**
 * Credential vending needs `lakeformation:GetDataAccess`, which every reader of LF data holds, besides the
 * operation's own action where the Service Authorization Reference lists one.
 */
const vending = (op?: string): AuthzFn => () => [...(op ? [{ action: `lakeformation:${op}`, resource: '*' }] : []), { action: 'lakeformation:GetDataAccess', resource: '*' }];

export const lakeFormationAuthz: Record<string, AuthzFn> = {
  ...Object.fromEntries(OPS.map((op) => [op, star(op)])),
  GetTemporaryGlueTableCredentials: vending('GetTemporaryGlueTableCredentials'),
  GetTemporaryDataLocationCredentials: vending(),
};
