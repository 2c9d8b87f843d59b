/**
 * Every error this service throws, with AWS's wording where it is known (the texts AWS Organizations
 * returns, which mostly repeat the error shapes' documentation). Errors that carry a `Reason` member
 * (ConstraintViolationException, InvalidInputException) take it as a field.
 */
import { OrganizationsErrors } from '../api.gen.js';

export type ConstraintViolationReason =
  | 'OU_DEPTH_LIMIT_EXCEEDED'
  | 'OU_NUMBER_LIMIT_EXCEEDED'
  | 'POLICY_NUMBER_LIMIT_EXCEEDED'
  | 'POLICY_CONTENT_LIMIT_EXCEEDED'
  | 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED'
  | 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED'
  | 'MAX_TAG_LIMIT_EXCEEDED'
  | 'CANNOT_CLOSE_MANAGEMENT_ACCOUNT'
  | 'ACCOUNT_CANNOT_LEAVE_ORGANIZATION'
  | 'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR'
  | 'CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR'
  | 'DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE'
  | 'MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED'
  | 'SERVICE_ACCESS_NOT_ENABLED'
  | 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG';

export type InvalidInputReason =
  | 'INVALID_NEXT_TOKEN'
  | 'MAX_VALUE_EXCEEDED'
  | 'MIN_VALUE_EXCEEDED'
  | 'IMMUTABLE_POLICY'
  | 'NON_DETACHABLE_POLICY'
  | 'DUPLICATE_TAG_KEY'
  | 'INVALID_PATTERN'
  | 'INVALID_PATTERN_TARGET_ID'
  | 'INPUT_REQUIRED'
  | 'TARGET_NOT_SUPPORTED'
  | 'INVALID_PARTY_TYPE_TARGET'
  | 'UNRECOGNIZED_SERVICE_PRINCIPAL'
  | 'MAX_LIMIT_EXCEEDED_FILTER';

/** Constraint-violation texts, keyed by reason. */
const constraintMessages: Readonly<Record<ConstraintViolationReason, string>> = {
  OU_DEPTH_LIMIT_EXCEEDED: 'You attempted to create an OU tree that is too many levels deep.',
  OU_NUMBER_LIMIT_EXCEEDED: 'You attempted to exceed the number of OUs that you can have in an organization.',
  POLICY_NUMBER_LIMIT_EXCEEDED: 'You attempted to exceed the number of policies that you can have in an organization.',
  POLICY_CONTENT_LIMIT_EXCEEDED: 'You attempted to create a policy that is larger than the maximum size.',
  MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED:
    'You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.',
  MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED:
    'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
  MAX_TAG_LIMIT_EXCEEDED: 'You have exceeded the number of tags allowed on this resource.',
  CANNOT_CLOSE_MANAGEMENT_ACCOUNT:
    "You attempted to close the management account. You can't close the management account with CloseAccount; close or remove every member account and then close it as a standalone account.",
  ACCOUNT_CANNOT_LEAVE_ORGANIZATION:
    "You attempted to remove the management account from the organization. You can't remove the management account. Instead, after you remove all member accounts, delete the organization itself.",
  CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR:
    'You attempted to register the management account of the organization as a delegated administrator for an Amazon Web Services service integrated with Organizations. You can designate only a member account as a delegated administrator.',
  CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR: 'You cannot register a suspended account as a delegated administrator.',
  DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE:
    'You attempted to register an Amazon Web Services account as a delegated administrator for an Amazon Web Services service that already has a delegated administrator. To complete this operation, you must first deregister any existing delegated administrators for this service.',
  MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED: 'You attempted to register more delegated administrators than allowed for the service principal.',
  SERVICE_ACCESS_NOT_ENABLED: 'You attempted to register a delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API first.',
  CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG:
    'You attempted to remove an account that is registered as a delegated administrator for a service integrated with your organization. To complete this operation, you must first deregister this account as a delegated administrator.',
};

export type HandshakeConstraintReason = 'ALREADY_IN_AN_ORGANIZATION';

const handshakeConstraintMessages: Readonly<Record<HandshakeConstraintReason, string>> = {
  ALREADY_IN_AN_ORGANIZATION: 'The handshake request is invalid because the invited account is already a member of an organization.',
};

export const errors = {
  notInUse: () => OrganizationsErrors.AWSOrganizationsNotInUseException('Your account is not a member of an organization.'),
  alreadyInOrganization: () => OrganizationsErrors.AlreadyInOrganizationException('This account is already a member of an organization.'),
  accessDenied: () => OrganizationsErrors.AccessDeniedException("You don't have permissions to access this resource."),
  accountNotFound: () => OrganizationsErrors.AccountNotFoundException("You specified an account that doesn't exist."),
  parentNotFound: () => OrganizationsErrors.ParentNotFoundException("We can't find a root or OU with the ParentId that you specified."),
  sourceParentNotFound: () =>
    OrganizationsErrors.SourceParentNotFoundException("We can't find a source root or OU with the ParentId that you specified."),
  destinationParentNotFound: () =>
    OrganizationsErrors.DestinationParentNotFoundException(
      "We can't find the destination container (a root or OU) with the ParentId that you specified.",
    ),
  duplicateAccount: () => OrganizationsErrors.DuplicateAccountException('That account is already present in the specified destination.'),
  childNotFound: () =>
    OrganizationsErrors.ChildNotFoundException("We can't find an organizational unit (OU) or AWS account with the ChildId that you specified."),
  ouNotFound: () =>
    OrganizationsErrors.OrganizationalUnitNotFoundException("We can't find an OU with the OrganizationalUnitId that you specified."),
  ouNotEmpty: () =>
    OrganizationsErrors.OrganizationalUnitNotEmptyException(
      'The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.',
    ),
  duplicateOu: () => OrganizationsErrors.DuplicateOrganizationalUnitException('An OU with the same name already exists.'),
  rootNotFound: () => OrganizationsErrors.RootNotFoundException("We can't find a root with the RootId that you specified."),
  targetNotFound: () =>
    OrganizationsErrors.TargetNotFoundException("We can't find a root, OU, account, or policy with the TargetId that you specified."),
  policyNotFound: () => OrganizationsErrors.PolicyNotFoundException("We can't find a policy with the PolicyId that you specified."),
  duplicatePolicy: () => OrganizationsErrors.DuplicatePolicyException('A policy with the same name already exists.'),
  duplicateAttachment: () =>
    OrganizationsErrors.DuplicatePolicyAttachmentException('The selected policy is already attached to the specified target.'),
  policyNotAttached: () =>
    OrganizationsErrors.PolicyNotAttachedException("The policy isn't attached to the specified target in the specified root."),
  policyInUse: () =>
    OrganizationsErrors.PolicyInUseException(
      'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.',
    ),
  policyTypeNotEnabled: () =>
    OrganizationsErrors.PolicyTypeNotEnabledException(
      "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.",
    ),
  policyTypeAlreadyEnabled: () => OrganizationsErrors.PolicyTypeAlreadyEnabledException('The specified policy type is already enabled.'),
  malformedPolicy: (detail?: string) =>
    OrganizationsErrors.MalformedPolicyDocumentException(
      detail ?? "The provided policy document doesn't meet the requirements of the specified policy type.",
    ),
  createAccountStatusNotFound: () =>
    OrganizationsErrors.CreateAccountStatusNotFoundException("We can't find a create account request with the CreateAccountRequestId that you specified."),
  accountAlreadyClosed: () => OrganizationsErrors.AccountAlreadyClosedException('You attempted to close an account that is already closed.'),
  masterCannotLeave: () =>
    OrganizationsErrors.MasterCannotLeaveOrganizationException(
      "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
    ),
  constraint: (reason: ConstraintViolationReason) =>
    OrganizationsErrors.ConstraintViolationException(constraintMessages[reason], { Reason: reason }),
  handshakeNotFound: () => OrganizationsErrors.HandshakeNotFoundException("We can't find a handshake with the HandshakeId that you specified."),
  handshakeAlreadyInState: () =>
    OrganizationsErrors.HandshakeAlreadyInStateException(
      "The specified handshake is already in the requested state. For example, you can't accept a handshake that was already accepted.",
    ),
  invalidHandshakeTransition: () =>
    OrganizationsErrors.InvalidHandshakeTransitionException(
      "You can't perform the operation on the handshake in its current state. For example, you can't cancel a handshake that was already accepted or accept a handshake that was already declined.",
    ),
  duplicateHandshake: () =>
    OrganizationsErrors.DuplicateHandshakeException(
      'A handshake with the same action and target already exists. For example, if you invited an account to join your organization, the invited account might already have a pending invitation from this organization. If you intend to resend an invitation to an account, ensure that existing handshakes that might be considered duplicates are canceled or declined.',
    ),
  handshakeConstraint: (reason: HandshakeConstraintReason) =>
    OrganizationsErrors.HandshakeConstraintViolationException(handshakeConstraintMessages[reason], { Reason: reason }),
  accountAlreadyRegistered: () =>
    OrganizationsErrors.AccountAlreadyRegisteredException('The specified account is already a delegated administrator for this Amazon Web Services service.'),
  accountNotRegistered: () =>
    OrganizationsErrors.AccountNotRegisteredException('The specified account is not a delegated administrator for this Amazon Web Services service.'),
  effectivePolicyNotFound: () =>
    OrganizationsErrors.EffectivePolicyNotFoundException(
      "If you ran this action on the management account, this policy type is not enabled. If you ran the action on a member account, the account doesn't have an effective policy of this type. Contact the administrator of your organization about attaching a policy of this type to the account.",
    ),
  invalidInput: (reason: InvalidInputReason, message: string) => OrganizationsErrors.InvalidInputException(message, { Reason: reason }),
};
