import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { realKill, recordRequest } from '../../support/kills';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:OomResponderNotifications';
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponderWorkflow';
const T0 = Date.parse('2026-11-25T18:28:15Z');

const sns = mockClient(SNSClient);
let dynamo: LocalDynamo;
let tableName: string;
let handler: (event: unknown, context: Context) => Promise<unknown>;
const context = { functionName: 'OomResponder-Notify', awsRequestId: 'req-1' } as Context;

/** "Step Functions Execution Status Change" as EventBridge delivers it (Step Functions guide, event examples). */
function ended(status: string, input: Record<string, string>, executionArn: string) {
  return {
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-11-25T21:28:16Z',
    region: 'us-east-1',
    resources: [executionArn],
    detail: {
      executionArn,
      stateMachineArn: MACHINE,
      name: input.incidentId,
      status,
      startDate: T0,
      stopDate: T0 + 10_800_000,
      input: JSON.stringify(input),
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: null,
      cause: null,
    },
  };
}

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  tableName = await dynamo.createTable();
  const endpoint = (await dynamo.client.config.endpoint?.())?.port;
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', `http://127.0.0.1:${endpoint}`);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('INCIDENT_TABLE_NAME', tableName);
  vi.stubEnv('TOPIC_ARN', TOPIC);
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
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
    const executionArn = `arn:aws:states:us-east-1:123456789012:execution:OomResponderWorkflow:${input.incidentId}`;

    const first = await handler(ended('TIMED_OUT', input, executionArn), context);
    expect(first).toMatchObject({ incidentId: input.incidentId, sns: { status: 'sent' } });
    const message = String(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message);
    expect(message).toContain('the response timed out before it could notify');
    expect(message).toContain(`#/v2/executions/details/${executionArn}`);

    // EventBridge delivers at least once, and a FAILED event may follow a notification that did go out.
    await handler(ended('FAILED', input, executionArn), context);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
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
