/**
 * The AWS services that integrate with Organizations, as far as mlzone knows them: EnableAWSServiceAccess accepts
 * these principals (any other is InvalidInputException UNRECOGNIZED_SERVICE_PRINCIPAL), and those with
 * `delegatedAdmins` support RegisterDelegatedAdministrator, up to that many accounts at once (AWS's per-service
 * quotas from "AWS services that you can use with AWS Organizations"). Trusted access must be enabled before an
 * administrator is delegated (ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED), as Organizations requires.
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html
 */
export interface IntegratedService {
  /** How many member accounts may be delegated administrators at once; absent when the service has none. */
  readonly delegatedAdmins?: number;
}

const SERVICES: Readonly<Record<string, IntegratedService>> = {
  'access-analyzer.amazonaws.com': { delegatedAdmins: 1 },
  'account.amazonaws.com': { delegatedAdmins: 1 },
  'auditmanager.amazonaws.com': { delegatedAdmins: 1 },
  'aws-artifact-account-sync.amazonaws.com': {},
  'backup.amazonaws.com': { delegatedAdmins: 1 },
  'cloudtrail.amazonaws.com': { delegatedAdmins: 3 },
  'compute-optimizer.amazonaws.com': { delegatedAdmins: 1 },
  'config.amazonaws.com': { delegatedAdmins: 3 },
  'config-multiaccountsetup.amazonaws.com': { delegatedAdmins: 3 },
  'detective.amazonaws.com': { delegatedAdmins: 1 },
  'guardduty.amazonaws.com': { delegatedAdmins: 1 },
  'health.amazonaws.com': { delegatedAdmins: 5 },
  'inspector2.amazonaws.com': { delegatedAdmins: 1 },
  'ipam.amazonaws.com': { delegatedAdmins: 1 },
  'license-manager.amazonaws.com': { delegatedAdmins: 1 },
  'macie.amazonaws.com': { delegatedAdmins: 1 },
  'member.org.stacksets.cloudformation.amazonaws.com': { delegatedAdmins: 5 },
  'ram.amazonaws.com': {},
  'reporting.trustedadvisor.amazonaws.com': {},
  'securityhub.amazonaws.com': { delegatedAdmins: 1 },
  'servicecatalog.amazonaws.com': { delegatedAdmins: 1 },
  'ssm.amazonaws.com': { delegatedAdmins: 1 },
  'sso.amazonaws.com': { delegatedAdmins: 1 },
  'storage-lens.s3.amazonaws.com': { delegatedAdmins: 5 },
  'tagpolicies.tag.amazonaws.com': {},
};

/** The service behind a principal, or undefined when Organizations does not integrate with it. */
export function integratedService(principal: string): IntegratedService | undefined {
  return Object.hasOwn(SERVICES, principal) ? SERVICES[principal] : undefined;
}
