import type { Json, ResolvedTemplate } from './iam-template';

/** An IAM policy document as the template holds it (after intrinsics are resolved). */
export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, Json>[];
}

function list(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function document(value: Json | undefined, where: string): PolicyDocument {
  if (!value || typeof value !== 'object' || Array.isArray(value) || !Array.isArray(value.Statement)) {
    throw new Error(`${where} holds no policy document`);
  }
  return value as unknown as PolicyDocument;
}

/**
 * The identity policies of a role in the template: the `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`
 * resources attached to it and its inline policies, each named by its logical id.
 */
export function identityPoliciesOf(
  template: ResolvedTemplate,
  roleId: string,
): { name: string; policy: PolicyDocument }[] {
  const roleName = template.ref(roleId);
  const attached = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) =>
    template
      .ofType(type)
      .filter((id) => list(template.properties(id).Roles).includes(roleName))
      .map((id) => ({ name: id, policy: document(template.properties(id).PolicyDocument, id) })),
  );
  const inline = list(template.properties(roleId).Policies).map((entry, index) => {
    const record = entry as Record<string, Json>;
    return { name: `${roleId}-inline-${index}`, policy: document(record.PolicyDocument, roleId) };
  });
  return [...attached, ...inline];
}

/** A managed policy of the template (such as the stack's `InstancePolicy`), as an identity policy. */
export function managedPolicy(
  template: ResolvedTemplate,
  prefix: string,
): { name: string; policy: PolicyDocument } {
  const id = template.one('AWS::IAM::ManagedPolicy', prefix);
  return { name: id, policy: document(template.properties(id).PolicyDocument, id) };
}

/** The policy of a topic, queue or bucket (`undefined` when the template attaches none). */
export function resourcePolicyOf(template: ResolvedTemplate, resourceId: string): PolicyDocument | undefined {
  const [policyType, property, value] = (() => {
    const type = template.ofType('AWS::SNS::Topic').includes(resourceId)
      ? 'topic'
      : template.ofType('AWS::SQS::Queue').includes(resourceId)
        ? 'queue'
        : 'bucket';
    if (type === 'topic') return ['AWS::SNS::TopicPolicy', 'Topics', template.ref(resourceId)];
    if (type === 'queue') return ['AWS::SQS::QueuePolicy', 'Queues', template.ref(resourceId)];
    return ['AWS::S3::BucketPolicy', 'Bucket', template.ref(resourceId)];
  })();
  const policies = template
    .ofType(policyType)
    .filter((id) => list(template.properties(id)[property]).includes(value))
    .map((id) => document(template.properties(id).PolicyDocument, id));
  if (policies.length > 1) throw new Error(`${resourceId} has ${policies.length} ${policyType}s`);
  return policies[0];
}

/** A key's key policy. */
export function keyPolicyOf(template: ResolvedTemplate, keyId: string): PolicyDocument {
  return document(template.properties(keyId).KeyPolicy, keyId);
}

/**
 * A function's resource-based policy, built from its `AWS::Lambda::Permission` resources the way Lambda stores
 * them (GetPolicy shows each permission as a statement with `ArnLike AWS:SourceArn` and `StringEquals
 * AWS:SourceAccount` conditions: https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html).
 */
export function functionPolicyOf(template: ResolvedTemplate, functionId: string): PolicyDocument {
  const arn = template.arn(functionId);
  const names = [arn, template.ref(functionId)];
  const Statement = template
    .ofType('AWS::Lambda::Permission')
    .map((id) => template.properties(id))
    .filter((permission) => names.includes(String(permission.FunctionName)))
    .map((permission) => {
      const principal = String(permission.Principal);
      const condition: Record<string, Record<string, Json>> = {};
      if (permission.SourceArn) condition.ArnLike = { 'AWS:SourceArn': permission.SourceArn };
      if (permission.SourceAccount)
        condition.StringEquals = { 'AWS:SourceAccount': permission.SourceAccount };
      return {
        Effect: 'Allow',
        Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
        Action: permission.Action ?? null,
        Resource: arn,
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      } as Record<string, Json>;
    });
  return { Version: '2012-10-17', Statement };
}

/**
 * Every policy statement anywhere in a raw (unresolved) template: identity and managed policies, trust policies,
 * topic, queue, bucket and key policies, and each Lambda permission (as a one-action statement).
 */
export function everyStatement(rawTemplate: Record<string, unknown>): { where: string; actions: string[] }[] {
  const found: { where: string; actions: string[] }[] = [];
  const resources = (rawTemplate.Resources ?? {}) as Record<string, { Type: string; Properties?: unknown }>;
  const walk = (value: unknown, where: string): void => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, `${where}[${index}]`);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.Statement)) {
      for (const [index, statement] of record.Statement.entries()) {
        const s = statement as Record<string, unknown>;
        const actions = [...list(s.Action as Json), ...list(s.NotAction as Json)].map(String);
        found.push({ where: `${where}.Statement[${index}]`, actions });
      }
      return;
    }
    for (const [key, child] of Object.entries(record)) walk(child, `${where}.${key}`);
  };
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::Lambda::Permission') {
      const action = (resource.Properties as Record<string, unknown> | undefined)?.Action;
      found.push({ where: id, actions: [String(action)] });
      continue;
    }
    walk(resource.Properties, id);
  }
  return found;
}
