import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keys } from '../../../functions/adapters/dynamodb/items';
import type { WarningOutcome } from '../../../functions/core/pressure/respond-to-warning';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { captureConsole, stubLambdaEnvironment } from '../../support/lambda-environment';
import { documentedEvent, earlyWarningEvent } from '../../support/pressure-events';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponderPressure';
const INSTANCE = 'i-0abc1234def567890';
const sfn = mockClient(SFNClient);

let dynamo: LocalDynamo;
let tableName: string;
let logged: string[];
let handler: (event: unknown, context: Context) => Promise<WarningOutcome>;

const context = {
  functionName: 'OomResponder-Pressure',
  awsRequestId: '3f1a2b4c-0000-4000-8000-000000000009',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:OomResponder-Pressure',
  memoryLimitInMB: '256',
  functionVersion: '$LATEST',
} as Context;

// The Lambda as deployed: its module reads the environment the construct sets at cold start; DynamoDB is a real
// DynamoDB-protocol server on loopback (the SDK's service endpoint variable), Step Functions a mocked client.
beforeAll(async () => {
  dynamo = await startLocalDynamo();
  tableName = await dynamo.createTable();
  await stubLambdaEnvironment(dynamo, {
    INCIDENT_TABLE_NAME: tableName,
    PRESSURE_STATE_MACHINE_ARN: STATE_MACHINE,
    PRESSURE_COOLDOWN_MINUTES: '60',
    RETENTION_DAYS: '30',
  });
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`,
  }));
  logged = captureConsole();
  ({ handler } = await import('../../../functions/pressure/index'));
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  sfn.restore();
  await dynamo.close();
});

describe('the pressure Lambda', () => {
  it('records the warning in DynamoDB and starts the pressure state machine, logging and counting it', async () => {
    const outcome = await handler(earlyWarningEvent(INSTANCE), context);
    expect(outcome).toMatchObject({ status: 'started', alreadyStarted: false });
    if (outcome.status !== 'started') throw new Error('not started');
    const item = await dynamo.client.send(
      new GetCommand({ TableName: tableName, Key: keys.incident(outcome.incidentId) }),
    );
    expect(item.Item).toMatchObject({
      kind: 'pressure',
      instanceId: INSTANCE,
      executionArn: outcome.executionArn,
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toMatchObject({
      stateMachineArn: STATE_MACHINE,
      name: outcome.incidentId,
    });
    const line = logged.find((text) => text.includes('started the pressure workflow'));
    expect(line).toContain(outcome.incidentId);
    expect(line).toContain('"function_name": "OomResponder-Pressure"');
  });

  it("acknowledges the alarm's own state change (documented) rather than failing on it", async () => {
    const outcome = await handler(
      documentedEvent('cloudwatch-alarm-state-change-multi-time-series'),
      context,
    );
    expect(outcome).toMatchObject({ status: 'rejected' });
    expect(
      logged.some((line) => line.includes('rejected an event that is not an alarm contributor state change')),
    ).toBe(true);
  });
});
