import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import { keys } from '../../../functions/adapters/dynamodb/items';
import { validateSlackMessage } from '../../../functions/core/render/block-kit-limits';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { realKill, recordRequest } from '../../support/kills';
import { captureConsole, stubLambdaEnvironment } from '../../support/lambda-environment';
import { pressureEvent } from '../../support/pressure';
import { type FakeSlack, startFakeSlack, WEBHOOK_PATH } from '../../support/slack-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:OomResponderNotifications';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:oom-responder/slack-AbCdEf';
const T0 = Date.parse('2026-11-25T18:28:15Z');

const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
let dynamo: LocalDynamo;
let slack: FakeSlack;
let tableName: string;
let logged: string[];
let handler: (event: unknown, context: Context) => Promise<unknown>;

const context = {
  functionName: 'OomResponder-Notify',
  awsRequestId: '3f1a2b4c-0000-4000-8000-000000000001',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:OomResponder-Notify',
  memoryLimitInMB: '256',
  functionVersion: '$LATEST',
  getRemainingTimeInMillis: () => 60_000,
} as Context;

// The Lambda as deployed: its module reads the environment at cold start and builds its clients; DynamoDB is
// a real DynamoDB-protocol server, SNS and Secrets Manager are mocked, Slack is a loopback HTTP server.
beforeAll(async () => {
  dynamo = await startLocalDynamo();
  slack = await startFakeSlack();
  tableName = await dynamo.createTable();
  await stubLambdaEnvironment(dynamo, {
    POWERTOOLS_METRICS_DISABLED: 'false',
    INCIDENT_TABLE_NAME: tableName,
    TOPIC_ARN: TOPIC,
    SLACK_WEBHOOK_SECRET: SECRET,
    STORM_THRESHOLD: '5',
    STORM_WINDOW_SECONDS: '300',
  });
  secrets.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({ SecretString: slack.url });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
  logged = captureConsole();
  ({ handler } = await import('../../../functions/notify/index'));
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await slack.close();
  await dynamo.close();
});

describe('the notify Lambda', () => {
  it('notifies Slack and SNS from the workflow state, and records it on the incident in DynamoDB', async () => {
    const store = new DynamoIncidentStore({ client: dynamo.client, tableName });
    const request = recordRequest('i-0a1b2c3d4e5f60789', [{ kill: realKill(), observedAtMs: T0 }]);
    await store.recordKills(request);
    slack.reply({ status: 400, body: 'invalid_blocks' }, { status: 200, body: 'ok' });

    const first = await handler(
      {
        state: {
          incidentId: request.incident.id,
          instanceId: 'i-0a1b2c3d4e5f60789',
          killTime: request.incident.observedAt,
          pid: '3359',
          process: '(sd-pam)',
          unit: '',
          memcgPath: '',
          diagnosticsSendError: { Error: 'Ssm.InvalidInstanceIdException', Cause: 'not in a valid state' },
        },
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:OomResponderResponse:${request.incident.id}`,
      },
      context,
    );

    expect(first).toMatchObject({
      incidentId: request.incident.id,
      slack: { status: 'failed', detail: 'Slack answered 400 invalid_blocks' },
      sns: { status: 'sent', messageId: 'sns-message-1' },
    });
    expect(slack.requests).toHaveLength(1);
    expect(validateSlackMessage(slack.requests[0]?.body)).toEqual([]);
    const published = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(published?.TopicArn).toBe(TOPIC);
    expect(published?.MessageAttributes?.format).toEqual({ DataType: 'String', StringValue: 'text' });
    expect(published?.Message).toContain('the SSM agent is offline');

    const items = (await dynamo.client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    const incident = items.find((item) => item.pk === `INCIDENT#${request.incident.id}`);
    expect(incident?.status).toBe('notified');
    expect(JSON.parse(String(incident?.notification)).slack.status).toBe('failed');

    // The warning and the summary line were logged, with the Slack error and never the webhook.
    const logs = logged.join('\n');
    expect(logs).toContain('Slack did not take the message; SNS did');
    expect(logs).toContain('invalid_blocks');
    expect(logs).not.toContain(WEBHOOK_PATH);
    expect(logs).not.toContain('XXXXSECRET');
    // The metric went out as EMF.
    expect(logs).toContain('SlackDeliveryFailures');
  });

  it('ends inside the invocation’s remaining time: SNS goes out, Slack’s Retry-After is left for the retry', async () => {
    const store = new DynamoIncidentStore({ client: dynamo.client, tableName });
    const request = recordRequest('i-0c1b2c3d4e5f60789', [{ kill: realKill(), observedAtMs: T0 + 2000 }]);
    await store.recordKills(request);
    slack.reply({ status: 429, body: 'rate_limited', headers: { 'Retry-After': '30' } });
    const before = sns.commandCalls(PublishCommand).length;
    const started = Date.now();
    const event = {
      state: {
        incidentId: request.incident.id,
        instanceId: 'i-0c1b2c3d4e5f60789',
        killTime: '',
        pid: '',
        process: '',
        unit: '',
        memcgPath: '',
      },
    };
    const short = { ...context, getRemainingTimeInMillis: () => 8_000 } as Context;
    await expect(handler(event, short)).rejects.toMatchObject({ name: 'NotificationIncompleteError' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sns.commandCalls(PublishCommand).length - before).toBe(1);
    const items = (await dynamo.client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    const incident = items.find((item) => item.pk === `INCIDENT#${request.incident.id}`);
    expect(incident?.status).toBe('notified');
    expect(incident?.delivery_sns).toMatchObject({ status: 'sent', messageId: 'sns-message-1' });
    expect(incident?.delivery_slack).toMatchObject({ status: 'pending', attempts: 1 });
    expect(JSON.stringify(incident)).not.toContain('XXXXSECRET');

    // The workflow's retry sends only Slack.
    slack.reply({ status: 200, body: 'ok' });
    await expect(handler(event, context)).resolves.toMatchObject({
      slack: { status: 'sent' },
      sns: { status: 'sent' },
    });
    expect(sns.commandCalls(PublishCommand).length - before).toBe(1);
  });

  it('reads the webhook secret once per container', async () => {
    const store = new DynamoIncidentStore({ client: dynamo.client, tableName });
    const request = recordRequest('i-0b1b2c3d4e5f60789', [{ kill: realKill(), observedAtMs: T0 + 1000 }]);
    await store.recordKills(request);
    await handler(
      {
        state: {
          incidentId: request.incident.id,
          instanceId: 'i-0b1b2c3d4e5f60789',
          killTime: '',
          pid: '',
          process: '',
          unit: '',
          memcgPath: '',
        },
      },
      context,
    );
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(slack.requests.at(-1)?.answered).toBe(200);
  });

  it('sends a memory-pressure warning with its own message, on the warning item’s delivery records', async () => {
    const warning = pressureEvent();
    await dynamo.client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.incident(warning.incidentId), incidentId: warning.incidentId, kind: 'pressure' },
      }),
    );
    slack.reply({ status: 200, body: 'ok' });
    const before = sns.commandCalls(PublishCommand).length;
    const posts = slack.requests.length;
    const result = await handler({ state: warning }, context);
    expect(result).toMatchObject({
      incidentId: warning.incidentId,
      slack: { status: 'sent' },
      sns: { status: 'sent' },
    });
    expect(slack.requests.length - posts).toBe(1);
    const published = sns.commandCalls(PublishCommand)[before]?.args[0].input;
    expect(published?.MessageAttributes?.eventType).toEqual({
      DataType: 'String',
      StringValue: 'oom-pressure',
    });
    expect(published?.Subject).toBe('[OOM warning] Memory pressure on i-0abc1234def567890: 6 % available');
    // The same delivery records as an incident's: a retry sends nothing again.
    await handler({ state: warning }, context);
    expect(slack.requests.length - posts).toBe(1);
    expect(sns.commandCalls(PublishCommand).length - before).toBe(1);
  });
});
