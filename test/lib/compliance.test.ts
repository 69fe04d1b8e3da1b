import { readFileSync } from 'node:fs';
import validator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { stateMachineDefinition, synthStack } from '../support/synth';

const EVERYTHING = {
  kernelLogGroupNames: ['/existing/kernel'],
  responder: {
    slackWebhookSecret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:oom-responder/slack-AbCdEf',
    accountSubscriptionPolicy: true,
    applyAgentConfiguration: true,
    earlyWarning: { memAvailablePercent: 15, swapUsedPercent: 40 },
    remediationPolicy: {
      addSwap: { enabled: true },
      restartService: { enabled: true, allowedUnits: ['app.service'] },
    },
  },
};

describe('cdk-nag (AwsSolutions and Serverless)', () => {
  it.each([
    ['the default deployment', {}],
    ['a deployment with every option on', EVERYTHING],
  ])('finds nothing unacknowledged in %s', (_, props) => {
    // cdk-nag 3 reports through CDK's validation plugins: synth throws when a rule fails.
    const { assembly } = synthStack(props, { nag: true });
    const report = JSON.parse(readFileSync(`${assembly.directory}/validation-report.json`, 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((plugin) => plugin.violations ?? [])).toEqual([]);
  });
});

describe('the synthesized state machine', () => {
  it.each([
    ['diagnose-only', {}],
    ['with remediation', EVERYTHING],
  ])('is valid Amazon States Language (%s)', (_, props) => {
    const definition = stateMachineDefinition(synthStack(props).template);
    const { isValid, errors } = validator(definition);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });
});

describe('the template', () => {
  it('matches the snapshot, asset hashes and inlined scripts left out', async () => {
    const template = synthStack().template.toJSON();
    const stable = JSON.parse(
      JSON.stringify(template, (key, value) => {
        if (key === 'runCommand' && Array.isArray(value)) return `<${value.length} script lines>`;
        return value;
      }).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, '<asset hash>'),
    );
    await expect(JSON.stringify(stable, null, 2)).toMatchFileSnapshot(
      '__snapshots__/oom-responder-stack.template.json',
    );
  });
});
