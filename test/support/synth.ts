import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { OomResponderStack, type OomResponderStackProps } from '../../lib/oom-responder-stack';

/**
 * Synthesize the stack for assertions without bundling the functions (esbuild is exercised by one test of its
 * own and by `cdk synth` in CI).
 */
export function synthStack(
  props: OomResponderStackProps = {},
  options: { nag?: boolean; bundle?: boolean } = {},
) {
  const app = new App({ context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new OomResponderStack(app, 'OomResponder', {
    env: { account: '123456789012', region: 'us-east-1' },
    ...props,
  });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const assembly = app.synth();
  return { app, stack, assembly, template: Template.fromStack(stack) };
}

/**
 * A state machine's definition (the kill workflow's unless `which` says otherwise) as runnable ASL: CDK emits it as an `Fn::Join` of strings and intrinsics; those
 * become sample values (the partition `aws`, this region and account, a Lambda ARN per function).
 */
export function stateMachineDefinition(
  template: Template,
  which: 'response' | 'pressure' = 'response',
): Record<string, unknown> {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  // The kill workflow's and the pressure workflow's (`OomResponderPressureWorkflowStateMachine...`).
  const [machine] = Object.entries(machines)
    .filter(([logicalId]) => logicalId.startsWith('OomResponderPressure') === (which === 'pressure'))
    .map(([, resource]) => resource) as { Properties: { DefinitionString: unknown } }[];
  if (!machine) throw new Error(`no ${which} state machine in the template`);
  return JSON.parse(flatten(machine.Properties.DefinitionString)) as Record<string, unknown>;
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const record = value as Record<string, unknown>;
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  if ('Ref' in record) {
    const ref = String(record.Ref);
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::Region') return 'us-east-1';
    if (ref === 'AWS::AccountId') return '123456789012';
    return `sample-${ref.toLowerCase()}`;
  }
  if ('Fn::GetAtt' in record) {
    const [logicalId] = record['Fn::GetAtt'] as [string, string];
    return `arn:aws:lambda:us-east-1:123456789012:function:${logicalId}`;
  }
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}
