import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OomResponderStack, type OomResponderStackProps } from '../../lib/oom-responder-stack';
import { synthStack } from '../support/synth';

/** Two stacks of the app in one account and Region, as a team with staging and production deploys them. */
function twoStacks(props: OomResponderStackProps = {}): [Template, Template] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const env = { account: '123456789012', region: 'us-east-1' };
  const first = new OomResponderStack(app, 'OomResponder', { env, ...props });
  const second = new OomResponderStack(app, 'OomResponderStaging', { env, ...props });
  return [Template.fromStack(first), Template.fromStack(second)];
}

/** Every fixed physical name a template asks CloudFormation for, by resource type. */
function physicalNames(template: Template): string[] {
  const named: [string, string][] = [
    ['AWS::Logs::LogGroup', 'LogGroupName'],
    ['AWS::SSM::Parameter', 'Name'],
    ['AWS::SSM::Document', 'Name'],
    ['AWS::SSM::Association', 'AssociationName'],
    ['AWS::Logs::SubscriptionFilter', 'FilterName'],
    ['AWS::Logs::AccountPolicy', 'PolicyName'],
  ];
  return named.flatMap(([type, property]) =>
    Object.values(template.findResources(type)).flatMap((resource) => {
      const value = resource.Properties?.[property];
      return typeof value === 'string' ? [`${type} ${value}`] : [];
    }),
  );
}

describe('physical names', () => {
  it('never collide between two stacks in one account and Region', () => {
    const [first, second] = twoStacks({
      kernelLogGroupNames: ['/existing/kernel'],
      responder: { applyAgentConfiguration: true, remediationPolicy: { addSwap: { enabled: true } } },
    });
    const names = physicalNames(first);
    expect(names.length).toBeGreaterThan(8);
    const shared = names.filter((name) => physicalNames(second).includes(name));
    expect(shared).toEqual([]);
  });

  it('name the kernel log group and the agent configurations after the stack', () => {
    const { template } = synthStack();
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/oom-responder/OomResponder/kernel',
    });
    const parameters = Object.values(template.findResources('AWS::SSM::Parameter')).map(
      (p) => p.Properties.Name,
    );
    // CloudWatchAgentServerPolicy lets the agent read only parameter/AmazonCloudWatch-* (ssm:GetParameter).
    for (const name of parameters) expect(name).toMatch(/^AmazonCloudWatch-OomResponder-/);
  });

  it('subscribe an existing kernel log group instead of creating it when createKernelLogGroup is false', () => {
    const { template } = synthStack({
      responder: { createKernelLogGroup: false, kernelLogGroupName: '/oom-responder/OomResponder/kernel' },
    });
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { LogGroupName: '/oom-responder/OomResponder/kernel' },
      0,
    );
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: '/oom-responder/OomResponder/kernel',
    });
  });
});

describe('the account-level subscription policy', () => {
  const { template } = synthStack({
    kernelLogGroupNames: ['/existing/kernel'],
    responder: { accountSubscriptionPolicy: true },
  });

  it('replaces the log-group filters: one event is delivered once, not once per subscription', () => {
    template.resourceCountIs('AWS::Logs::AccountPolicy', 1);
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
  });

  it('sends no Distribution, which applies only to Kinesis Data Streams destinations', () => {
    const [policy] = Object.values(template.findResources('AWS::Logs::AccountPolicy'));
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).not.toContain('Distribution');
  });
});

describe('the SSM documents', () => {
  it('run on EC2 instances only (TargetType)', () => {
    const { template } = synthStack({ responder: { remediationPolicy: { addSwap: { enabled: true } } } });
    const documents = Object.values(template.findResources('AWS::SSM::Document'));
    expect(documents).toHaveLength(2);
    for (const document of documents) expect(document.Properties.TargetType).toBe('/AWS::EC2::Instance');
    template.hasResourceProperties('AWS::SSM::Document', Match.objectLike({ DocumentType: 'Command' }));
  });
});
