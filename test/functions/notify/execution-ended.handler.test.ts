import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import { keys } from '../../../functions/adapters/dynamodb/items';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { executionArnOf, executionStatusChange } from '../../support/execution-status-change';
import { realKill, recordRequest } from '../../support/kills';
import { captureConsole, stubLambdaEnvironment } from '../../support/lambda-environment';
import { pressureEvent } from '../../support/pressure';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:OomResponderNotifications';
const T0 = Date.parse('2026-11-25T18:28:15Z');

const sns = mockClient(SNSClient);
let dynamo: LocalDynamo;
let tableName: string;
let handler: (event: unknown, context: Context) => Promise<unknown>;
const context = {
  functionName: 'OomResponder-Notify',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as Context;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  tableName = await dynamo.createTable();
  await stubLambdaEnvironment(dynamo, { INCIDENT_TABLE_NAME: tableName, TOPIC_ARN: TOPIC });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
  captureConsole();
  ({ handler } = await import('../../../functions/notify/index'));
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await dynamo.close();
});

describe('the notify Lambda, for an execution that ended before it notified', () => {
  it('tells on-call the response timed out before it could notify, linking the execution, and only once', async () => {
    const store = new DynamoIncidentStore({ client: dynamo.client, tableName });
    const request = recordRequest('i-0c1b2c3d4e5f60789', [{ kill: realKill(), observedAtMs: T0 }]);
    await store.recordKills(request);
    const input = {
      incidentId: request.incident.id,
      instanceId: 'i-0c1b2c3d4e5f60789',
      killTime: request.incident.observedAt,
      pid: '3359',
      process: 'python3',
      unit: '',
      memcgPath: '',
    };
    const executionArn = executionArnOf(input.incidentId);

    const first = await handler(executionStatusChange('TIMED_OUT', { input, startDate: T0 }), context);
    expect(first).toMatchObject({ incidentId: input.incidentId, sns: { status: 'sent' } });
    const message = String(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message);
    expect(message).toContain('the response timed out before it could notify');
    expect(message).toContain(`#/v2/executions/details/${executionArn}`);

    // EventBridge delivers at least once, and a FAILED event may follow a notification that did go out.
    await handler(executionStatusChange('FAILED', { input, startDate: T0 }), context);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('tells on-call a pressure response failed before it notified, with the warning’s own message', async () => {
    const { diagnostics: _d, diagnosticsSendError: _s, ...input } = pressureEvent();
    await dynamo.client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.incident(input.incidentId), incidentId: input.incidentId, kind: 'pressure' },
      }),
    );
    const before = sns.commandCalls(PublishCommand).length;
    const result = await handler(executionStatusChange('FAILED', { input, startDate: T0 }), context);
    expect(result).toMatchObject({ incidentId: input.incidentId, sns: { status: 'sent' } });
    const published = sns.commandCalls(PublishCommand)[before]?.args[0].input;
    expect(published?.MessageAttributes?.eventType?.StringValue).toBe('oom-pressure');
    expect(String(published?.Message)).toContain('! The response failed before it could notify');
  });

  it('refuses an event that is not a workflow execution it can report (the invoke fails, and is retried)', async () => {
    await expect(
      handler(
        { source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', detail: {} },
        context,
      ),
    ).rejects.toThrow(/not a Step Functions execution status change/);
  });
});
