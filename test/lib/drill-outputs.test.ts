import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { OomResponderStack } from '../../lib/oom-responder-stack';

/** `oom-responder drill` reads the instance tag from this output, so it checks an instance for the stack's own tag. */
describe('the InstanceTag output', () => {
  const synth = (instanceTag?: { key: string; value: string }) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    return Template.fromStack(
      new OomResponderStack(app, 'OomResponder', {
        env: { account: '123456789012', region: 'us-east-1' },
        ...(instanceTag ? { responder: { instanceTag } } : {}),
      }),
    );
  };

  it('is the default tag as key=value', () => {
    synth().hasOutput('InstanceTag', { Value: 'OomResponder=enabled' });
  });

  it('is the tag the stack was deployed with', () => {
    synth({ key: 'team', value: 'payments' }).hasOutput('InstanceTag', { Value: 'team=payments' });
  });
});
