/**
 * Every error the IAM service throws on purpose, with AWS's wording where it is known. Codes, statuses
 * and faults come from the model's error shapes (`IamErrors` in `api.gen.ts`); this file only owns the
 * messages, so handlers, the seeder and the domain rules say the same thing.
 */
import { CommonErrors } from '../../core/errors.js';
import type { AwsError } from '../../core/errors.js';
import { IamErrors } from './api.gen.js';

export type EntityKind = 'user' | 'role' | 'group';

export const IamError = {
  noSuchUser: (name: string): AwsError => IamErrors.NoSuchEntityException(`The user with name ${name} cannot be found.`),
  noSuchRole: (name: string): AwsError => IamErrors.NoSuchEntityException(`The role with name ${name} cannot be found.`),
  noSuchGroup: (name: string): AwsError => IamErrors.NoSuchEntityException(`The group with name ${name} cannot be found.`),
  noSuchEntity: (kind: EntityKind, name: string): AwsError =>
    IamErrors.NoSuchEntityException(`The ${kind} with name ${name} cannot be found.`),
  noSuchInlinePolicy: (kind: EntityKind, policyName: string): AwsError =>
    IamErrors.NoSuchEntityException(`The ${kind} policy with name ${policyName} cannot be found.`),
  noSuchPolicy: (arn: string): AwsError => IamErrors.NoSuchEntityException(`Policy ${arn} was not found.`),
  policyNotAttachable: (arn: string): AwsError =>
    IamErrors.NoSuchEntityException(`Policy ${arn} does not exist or is not attachable.`),
  boundaryNotAttachable: (arn: string): AwsError =>
    IamErrors.NoSuchEntityException(`Scope ARN: ${arn} does not exist or is not attachable.`),
  noSuchPolicyVersion: (arn: string, versionId: string): AwsError =>
    IamErrors.NoSuchEntityException(`Policy ${arn} version ${versionId} does not exist or is not attachable.`),
  noSuchAccessKey: (accessKeyId: string): AwsError =>
    IamErrors.NoSuchEntityException(`The Access Key with id ${accessKeyId} cannot be found.`),

  userExists: (name: string): AwsError => IamErrors.EntityAlreadyExistsException(`User with name ${name} already exists.`),
  roleExists: (name: string): AwsError => IamErrors.EntityAlreadyExistsException(`Role with name ${name} already exists.`),
  groupExists: (name: string): AwsError => IamErrors.EntityAlreadyExistsException(`Group with name ${name} already exists.`),
  policyExists: (name: string): AwsError =>
    IamErrors.EntityAlreadyExistsException(`A policy called ${name} already exists. Duplicate names are not allowed.`),
  accessKeyExists: (accessKeyId: string): AwsError =>
    IamErrors.EntityAlreadyExistsException(`Access key ${accessKeyId} already exists.`),

  deleteConflict: (message: string): AwsError => IamErrors.DeleteConflictException(message),
  limitExceeded: (message: string): AwsError => IamErrors.LimitExceededException(message),
  malformedPolicy: (message: string): AwsError => IamErrors.MalformedPolicyDocumentException(message),
  invalidInput: (message: string): AwsError => IamErrors.InvalidInputException(message),
  invalidArn: (arn: string): AwsError => IamErrors.InvalidInputException(`ARN ${arn} is not valid.`),

  /** AWS's wording for operations that need a user but were called with other credentials. */
  needUserName: (): AwsError => CommonErrors.validation('Must specify userName when calling with non-User credentials'),
  /** Model-constraint failures found by the seeder (the API path gets these from the protocol layer). */
  validation: (message: string): AwsError => CommonErrors.validation(message),
  /** AWS managed policies belong to the `aws` account: nobody may change them. */
  awsManagedReadOnly: (action: string, arn: string): AwsError =>
    CommonErrors.accessDenied(`Cannot perform ${action} on ${arn}: AWS managed policies cannot be modified or deleted.`),
};
