import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 acknowledges findings by their exact id. Every acknowledgement of the pipeline goes through here, so
 * each one carries its reason next to the resource it is about.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledge AwsSolutions-IAM5 for one wildcard resource, named as cdk-nag names it (`<Logical.Arn>/x/*`). */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  acknowledge(
    scope,
    `AwsSolutions-IAM5[Resource::${nagNotation(Stack.of(scope).resolve(resource))}]`,
    reason,
  );
}

/** Render a resolved CloudFormation value the way cdk-nag prints it in finding ids. */
function nagNotation(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('Ref' in record) return `<${String(record.Ref)}>`;
    if ('Fn::GetAtt' in record) {
      const [logicalId, attribute] = record['Fn::GetAtt'] as [string, string];
      return `<${logicalId}.${attribute}>`;
    }
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(nagNotation).join(separator);
    }
  }
  return JSON.stringify(value);
}
