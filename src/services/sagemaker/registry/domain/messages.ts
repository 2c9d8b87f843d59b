/**
 * The registry's refusals, with AWS's codes and wording where a source shows them. Unlike what the shared
 * `domain/errors.ts` header says for "registry resources", SageMaker answers a missing group or package with
 * ValidationException, not ResourceNotFound:
 * - "ModelPackageGroup <arn> does not exist." — the AWS CloudFormation resource provider for
 *   AWS::SageMaker::ModelPackageGroup (aws-cloudformation-resource-providers-sagemaker, its test fixtures and
 *   `ExceptionMapper`), the AWS Controllers for Kubernetes SageMaker generator test ("Validation Exception has suffix
 *   ModelPackageGroup arn:aws:sagemaker:/ does not exist") and terraform-provider-aws (`ValidationException` +
 *   "does not exist").
 * - "ModelPackage <arn> does not exist." — a real boto3 traceback of DescribeModelPackage (ValidationException).
 * - "Model Package Group already exists: <arn>" (ValidationException) — the CloudFormation provider's fixtures and
 *   client code that matches `ValidationException` with that text.
 * - "Cannot find Model Package Group: <arn>" and "Cannot find resource policy for: <arn>" (ValidationException) —
 *   the CloudFormation provider and terraform-provider-aws, for the group policy operations.
 * - "Both ModelPackageName and ModelPackageGroupName are provided in the input. Cannot determine which one to use."
 *   and "Missing ARN." — quoted from AWS answers in the review of moto's versioned-package support (getmoto/moto#7165).
 * The others are best guesses and say so.
 */
import { errors } from '../../domain/errors.js';

export const registryErrors = {
  groupNotFound: (arn: string) => errors.validation(`ModelPackageGroup ${arn} does not exist.`),
  groupExists: (arn: string) => errors.validation(`Model Package Group already exists: ${arn}`),
  /** Put/Get/DeleteModelPackageGroupPolicy on a group that does not exist. */
  policyGroupNotFound: (arn: string) => errors.validation(`Cannot find Model Package Group: ${arn}`),
  policyNotFound: (arn: string) => errors.validation(`Cannot find resource policy for: ${arn}`),
  packageNotFound: (arn: string) => errors.validation(`ModelPackage ${arn} does not exist.`),
  /** CreateModelPackage into a group that does not exist (moto's wording; AWS's not found). */
  createInMissingGroup: () => errors.validation('Model Package Group does not exist.'),
  bothNames: () => errors.validation('Both ModelPackageName and ModelPackageGroupName are provided in the input. Cannot determine which one to use.'),
  noName: () => errors.validation('Missing ARN.'),
  /** Best guess: the model lists ConflictException for DeleteModelPackageGroup; AWS's wording was not found. */
  groupNotEmpty: (arn: string) => errors.conflict(`Model Package Group ${arn} cannot be deleted because it contains model packages. Delete them first.`),
  /** Best guess (code and wording): an unversioned package name already taken. */
  packageExists: (arn: string) => errors.validation(`Model Package already exists: ${arn}`),
  /** Best guess (code and wording): a ClientToken reused for a different request. */
  tokenReused: (token: string) => errors.conflict(`ClientToken ${token} was already used for a different CreateModelPackage request.`),
  /** The policy checker's refusal, as ValidationException. */
  invalidPolicy: (why: string) => errors.validation(why),
};
