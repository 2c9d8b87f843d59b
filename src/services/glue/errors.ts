import { AwsError } from '../../core/errors.js';

/** Glue's error codes and wording (JSON 1.1, all 400). */
export const glueErrors = {
  databaseNotFound: (name: string) => new AwsError('EntityNotFoundException', `Database ${name} not found.`),
  tableNotFound: (name: string) => new AwsError('EntityNotFoundException', `Table ${name} not found.`),
  versionNotFound: (version: string, table: string) => new AwsError('EntityNotFoundException', `Version ${version} of table ${table} not found.`),
  partitionNotFound: () => new AwsError('EntityNotFoundException', 'Cannot find partition.'),
  policyNotFound: () => new AwsError('EntityNotFoundException', 'Policy not found'),
  databaseExists: () => new AwsError('AlreadyExistsException', 'Database already exists.'),
  tableExists: () => new AwsError('AlreadyExistsException', 'Table already exists.'),
  partitionExists: () => new AwsError('AlreadyExistsException', 'Partition already exists.'),
  invalid: (message: string) => new AwsError('InvalidInputException', message),
  lfDenied: (name: string) => new AwsError('AccessDeniedException', `Insufficient Lake Formation permission(s): Required Describe on ${name}`),
  /** A write Lake Formation refuses: `Required Create Database on Catalog`, `Required Create Table on <database>`, `Required Alter on <table>`… */
  lfRequired: (permission: string, on: string) => new AwsError('AccessDeniedException', `Insufficient Lake Formation permission(s): Required ${permission} on ${on}`),
  badToken: () => new AwsError('InvalidInputException', 'Invalid pagination token'),
};
