import { describe, expect, it } from 'vitest';
import { readNotifyFunctionConfig } from '../../../functions/notify/config';

const required = {
  INCIDENT_TABLE_NAME: 'OomResponder-Incidents',
  TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:OomResponderNotifications',
};
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';

function problemOf(env: Record<string, string | undefined>): string {
  try {
    readNotifyFunctionConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('readNotifyFunctionConfig', () => {
  it('uses the defaults for what the environment leaves out', () => {
    expect(readNotifyFunctionConfig(required)).toEqual({
      tableName: 'OomResponder-Incidents',
      topicArn: required.TOPIC_ARN,
      slackWebhookSecret: null,
      notify: {
        stormThreshold: 5,
        stormWindowMs: 300_000,
        qDeveloperFormat: false,
        outputBucket: null,
        partition: 'aws',
        region: 'us-east-1',
        stormFollowUpMs: 60_000,
      },
    });
  });

  it('reads every setting in its unit, and the partition from the topic', () => {
    const config = readNotifyFunctionConfig({
      INCIDENT_TABLE_NAME: 'OomResponder-Incidents',
      TOPIC_ARN: 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:OomResponderNotifications',
      SLACK_WEBHOOK_SECRET:
        'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:oom-responder/slack-AbCdEf',
      DIAGNOSTICS_BUCKET: 'oomresponder-diagnostics-123456789012',
      STORM_THRESHOLD: '10',
      STORM_WINDOW_SECONDS: '600',
      Q_DEVELOPER_FORMAT: 'true',
      AWS_REGION: 'us-gov-west-1',
    });
    expect(config).toEqual({
      tableName: 'OomResponder-Incidents',
      topicArn: 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:OomResponderNotifications',
      slackWebhookSecret:
        'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:oom-responder/slack-AbCdEf',
      notify: {
        stormThreshold: 10,
        stormWindowMs: 600_000,
        qDeveloperFormat: true,
        outputBucket: 'oomresponder-diagnostics-123456789012',
        partition: 'aws-us-gov',
        region: 'us-gov-west-1',
        stormFollowUpMs: 60_000,
      },
    });
  });

  it('takes a secret by name as well as by ARN', () => {
    expect(
      readNotifyFunctionConfig({ ...required, SLACK_WEBHOOK_SECRET: 'oom-responder/slack-webhook' })
        .slackWebhookSecret,
    ).toBe('oom-responder/slack-webhook');
  });

  it('fails at cold start, naming every problem', () => {
    const message = problemOf({
      TOPIC_ARN: 'OomResponderNotifications',
      STORM_THRESHOLD: '0',
      STORM_WINDOW_SECONDS: '5',
      Q_DEVELOPER_FORMAT: 'yes',
    });
    expect(message).toMatch(/^notify function misconfigured: /);
    for (const name of [
      'INCIDENT_TABLE_NAME',
      'TOPIC_ARN',
      'STORM_THRESHOLD',
      'STORM_WINDOW_SECONDS',
      'Q_DEVELOPER_FORMAT',
    ]) {
      expect(message).toContain(`${name}:`);
    }
  });

  it.each([
    ['the URL itself', WEBHOOK],
    ['an http URL', 'http://hooks.slack.com/services/T000/B000/XXXXSECRET'],
    ['the URL with a leading space', ` ${WEBHOOK}`],
    ['the URL without its scheme', 'hooks.slack.com/services/T000/B000/XXXXSECRET'],
  ])('refuses a SLACK_WEBHOOK_SECRET that holds %s, without echoing it', (_, value) => {
    const message = problemOf({ ...required, SLACK_WEBHOOK_SECRET: value });
    expect(message).toContain(
      'SLACK_WEBHOOK_SECRET: must name a Secrets Manager secret (its ARN or name), not hold the webhook URL',
    );
    expect(message).not.toContain('XXXXSECRET');
    expect(message).not.toContain('/services/');
  });

  it('lists a webhook URL among the other problems, still without echoing it', () => {
    const message = problemOf({ TOPIC_ARN: required.TOPIC_ARN, SLACK_WEBHOOK_SECRET: WEBHOOK });
    expect(message).toContain('INCIDENT_TABLE_NAME:');
    expect(message).toContain('SLACK_WEBHOOK_SECRET:');
    expect(message).not.toContain('XXXXSECRET');
  });
});
