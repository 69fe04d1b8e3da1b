import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoPressureStore } from '../../../functions/adapters/dynamodb/pressure-store';
import { StepFunctionsWorkflowStarter } from '../../../functions/adapters/sfn/workflow-starter';
import type { PressureMetric, PressurePorts } from '../../../functions/core/pressure/ports';
import { respondToWarning } from '../../../functions/core/pressure/respond-to-warning';
import type { PressureWorkflowInput } from '../../../functions/core/workflow/pressure-state';
import { readPressureFunctionConfig } from '../../../functions/pressure/config';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { DOCUMENTED_CONTRIBUTOR, earlyWarningEvent } from '../../support/pressure-events';

/**
 * The pressure function as its composition root wires it (functions/pressure/index.ts): its configuration, the
 * DynamoDB store on dynalite and the Step Functions starter on a mocked SFN client, fed AWS's documented contributor
 * event as an early-warning alarm sends it. Counts the AWS calls each warning costs.
 */
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponderPressure';
const INSTANCE = 'i-0abc1234def567890';
const sfn = mockClient(SFNClient);
let dynamo: LocalDynamo;
let ports: PressurePorts;
let counts: Map<PressureMetric, number>;
let executions: Set<string>;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

beforeEach(async () => {
  sfn.reset();
  executions = new Set();
  // Step Functions keeps an execution name for 90 days: a second start of it is ExecutionAlreadyExists.
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
    if (executions.has(input.name)) {
      throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
    }
    executions.add(input.name);
    return { executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}` };
  });
  const tableName = await dynamo.createTable();
  dynamo.resetCalls();
  counts = new Map();
  ports = {
    store: new DynamoPressureStore({ client: dynamo.client, tableName }),
    workflow: new StepFunctionsWorkflowStarter<PressureWorkflowInput>({
      client: new SFNClient({ region: 'us-east-1' }),
      stateMachineArn: STATE_MACHINE,
    }),
    telemetry: {
      info: () => {},
      warn: () => {},
      count: (metric, value = 1) => counts.set(metric, (counts.get(metric) ?? 0) + value),
    },
    now: () => new Date('2025-12-01T13:42:06Z'),
  };
});

const config = readPressureFunctionConfig({
  INCIDENT_TABLE_NAME: 'unused-here',
  PRESSURE_STATE_MACHINE_ARN: STATE_MACHINE,
}).pressure;
const awsCalls = () => ({
  ...Object.fromEntries(dynamo.calls),
  StartExecution: sfn.commandCalls(StartExecutionCommand).length,
});

describe('the pressure function on the documented contributor event', () => {
  it('costs one TransactWriteItems and one StartExecution, named after the incident, with the workflow input', async () => {
    const outcome = await respondToWarning(earlyWarningEvent(INSTANCE), ports, config);
    expect(outcome).toMatchObject({ status: 'started', alreadyStarted: false });
    expect(awsCalls()).toEqual({ TransactWriteItemsCommand: 1, StartExecution: 1 });
    const start = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start?.stateMachineArn).toBe(STATE_MACHINE);
    expect(start?.name).toBe(outcome.status === 'started' ? outcome.incidentId : '');
    expect(JSON.parse(String(start?.input))).toMatchObject({
      mode: 'pressure',
      instanceId: INSTANCE,
      metric: 'mem_available_percent',
      latestValue: 0,
      threshold: 1,
    });
  });

  it('starts one execution for the same event delivered twice (the second costs the same two calls)', async () => {
    await respondToWarning(earlyWarningEvent(INSTANCE), ports, config);
    const again = await respondToWarning(earlyWarningEvent(INSTANCE), ports, config);
    expect(again).toMatchObject({ status: 'started', duplicate: true, alreadyStarted: true });
    expect(executions.size).toBe(1);
    expect(awsCalls()).toEqual({ TransactWriteItemsCommand: 2, StartExecution: 2 });
  });

  it('costs a single cancelled TransactWriteItems for a warning within the cooldown', async () => {
    await respondToWarning(earlyWarningEvent(INSTANCE), ports, config);
    dynamo.resetCalls();
    sfn.resetHistory();
    const later = earlyWarningEvent(INSTANCE, { state: { timestamp: '2025-12-01T14:02:04.919+0000' } });
    expect(await respondToWarning(later, ports, config)).toMatchObject({ status: 'cooling' });
    expect(awsCalls()).toEqual({ TransactWriteItemsCommand: 1, StartExecution: 0 });
  });

  it('calls nothing for the documented sample as it is (its contributor is a DynamoDB table)', async () => {
    expect(await respondToWarning(DOCUMENTED_CONTRIBUTOR, ports, config)).toMatchObject({
      status: 'ignored',
    });
    expect(awsCalls()).toEqual({ StartExecution: 0 });
    expect(counts.get('PressureWarningsIgnored')).toBe(1);
  });

  it('rethrows a Step Functions failure, so Lambda retries the event, and the retry starts it', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(respondToWarning(earlyWarningEvent(INSTANCE), ports, config)).rejects.toThrow(
      'Rate exceeded',
    );
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE}:x` });
    expect(await respondToWarning(earlyWarningEvent(INSTANCE), ports, config)).toMatchObject({
      status: 'started',
      duplicate: true,
    });
  });
});
