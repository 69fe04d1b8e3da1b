import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import { Ec2InstanceDirectory } from '../../../functions/adapters/ec2/instance-directory';
import { CloudWatchLogContextReader } from '../../../functions/adapters/logs/log-context-reader';
import { StepFunctionsWorkflowStarter } from '../../../functions/adapters/sfn/workflow-starter';
import { DEFAULT_DETECT_CONFIG } from '../../../functions/core/detect/config';
import type { DetectPorts } from '../../../functions/core/detect/detect-batch';
import { handleSubscriptionEvent } from '../../../functions/detect/handle-event';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { type Delivery, formatMatrix, type MatrixRow, tally, verdict } from '../../support/fault-matrix';
import {
  batchOf,
  matchesFilter,
  recordingTelemetry,
  reportLines,
  subscriptionEvent,
} from '../../support/subscription';

/**
 * The detect rows of the exactly-once matrix. Three instances each report a real kill; each scenario injects one
 * fault into the detector's AWS calls (DynamoDB through a real DynamoDB-protocol server, Step Functions and
 * CloudWatch Logs mocked) and delivers the batches as Lambda does: an invocation that throws is tried twice more
 * (asynchronous invocation), and one that still fails goes to the dead-letter queue, which here counts as lost.
 * An incident reaches on-call when its response starts (the workflow matrix proves each started execution
 * notifies once): one execution per instance is "once", none is lost, two for one instance's kill a duplicate.
 */

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:oom-responder';
const INSTANCES = ['i-0a00000000000000a', 'i-0b00000000000000b', 'i-0c00000000000000c'];
const T0 = Date.now() - 60_000;
const LAMBDA_ATTEMPTS = 3;

/** Fail the first `times` calls of `command` (by name) with `error`; `after`: fail once the call went through. */
interface Fault {
  command: string;
  times: number;
  error: () => Error;
  after?: boolean;
}

const awsError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? 'server' : 'client',
  });

interface Scenario {
  fault: string;
  dynamo?: Fault;
  sfn?: 'throttle' | 'answer-lost';
  logs?: 'throttle' | 'validation';
  /** How the batches are delivered: once each, twice in a row, or to three detectors at once. */
  delivery?: 'once' | 'repeated' | 'concurrent';
  /** Kills each instance reports in its batch. @default 1 */
  kills?: number;
  /** Each batch carries every line twice (two agents shipping one file). */
  linesTwice?: boolean;
  /** The kill's cgroup path is 200 KB long, as a corrupt or forged line may make it. */
  hugeFields?: boolean;
  /** A second batch of 2 later kills of each instance arrives while the first is being recorded. */
  lateBatch?: boolean;
}

const SCENARIOS: Scenario[] = [
  { fault: 'none' },
  {
    fault: 'DynamoDB throttling',
    dynamo: {
      command: 'TransactWriteItemsCommand',
      times: 2,
      error: () => awsError('ThrottlingException', 400),
    },
  },
  {
    fault: 'DynamoDB 5xx',
    dynamo: {
      command: 'TransactWriteItemsCommand',
      times: 2,
      error: () => awsError('InternalServerError', 500),
    },
  },
  {
    fault: 'DynamoDB timeout',
    dynamo: { command: 'TransactWriteItemsCommand', times: 1, error: () => awsError('TimeoutError', 0) },
  },
  {
    fault: 'DynamoDB answer lost after the write',
    dynamo: {
      command: 'TransactWriteItemsCommand',
      times: 2,
      after: true,
      error: () => awsError('TimeoutError', 0),
    },
  },
  {
    fault: 'ConditionalCheckFailed (mark started)',
    dynamo: {
      command: 'UpdateItemCommand',
      times: 1,
      error: () => awsError('ConditionalCheckFailedException', 400, 'The conditional request failed'),
    },
  },
  {
    fault: 'function timed out mid-batch',
    dynamo: { command: 'UpdateItemCommand', times: 2, after: true, error: () => new Error('Task timed out') },
  },
  { fault: 'StartExecution throttling', sfn: 'throttle' },
  { fault: 'ExecutionAlreadyExists (answer lost)', sfn: 'answer-lost' },
  { fault: 'GetLogEvents throttled every call', logs: 'throttle' },
  { fault: 'GetLogEvents ValidationException', logs: 'validation' },
  { fault: 'repeated delivery', delivery: 'repeated' },
  { fault: 'concurrent delivery', delivery: 'concurrent' },
  { fault: 'concurrent delivery, 40 kills each', delivery: 'concurrent', kills: 40 },
  { fault: 'every line twice in one batch', linesTwice: true, kills: 5 },
  { fault: 'kill lines with 200 KB fields', hugeFields: true, kills: 3 },
  { fault: 'a join racing the creation', lateBatch: true, kills: 40 },
];

/** The lines of kill `i` of an instance: the real report's filtered lines with their own pid and kernel time. */
function killLines(host: string, i: number, huge: boolean): string[] {
  return reportLines(host)
    .filter(matchesFilter)
    .map((line) =>
      line
        .replace(/\b3920\b/g, String(10_000 + i))
        .replace(/\[ *321\.(\d+)\]/, (_, fraction: string) => `[${1000 + i * 30}.${fraction}]`)
        .replace(/transports-oom/g, huge ? `transports-oom/${'x'.repeat(200_000)}` : 'transports-oom'),
    );
}

/** The subscription events of one instance in a scenario. */
function eventsOf(instance: string, n: number, scenario: Scenario): unknown[] {
  const host = `ip-10-0-1-${n}`;
  const kills = scenario.kills ?? 1;
  const lines = Array.from({ length: kills }, (_, i) =>
    killLines(host, i, scenario.hugeFields ?? false),
  ).flat();
  const batch = (from: string[], startMs: number) =>
    subscriptionEvent(
      batchOf(scenario.linesTwice ? from.flatMap((line) => [line, line]) : from, {
        logStream: instance,
        startMs,
      }),
    );
  const events = [batch(lines, T0 + n)];
  if (scenario.lateBatch) {
    const late = [kills, kills + 1].flatMap((i) => killLines(host, i, false));
    events.push(batch(late, T0 + 30_000 + n));
  }
  return events;
}

/** The kills each instance reported, as the incidents must count them. */
const killsReported = (scenario: Scenario) => (scenario.kills ?? 1) + (scenario.lateBatch ? 2 : 0);

const logsMock = mockClient(CloudWatchLogsClient);
const sfnMock = mockClient(SFNClient);
mockClient(EC2Client);
let dynamo: LocalDynamo;
const rows: MatrixRow[] = [];

beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  console.log(formatMatrix('## detect: incidents whose response started once', rows));
  await dynamo.close();
});

/** A client of the local table whose calls fail as `fault` says. */
async function faultyClient(fault: Fault | undefined): Promise<DynamoDBDocumentClient> {
  const endpoint = await dynamo.client.config.endpoint?.();
  const raw = new DynamoDBClient({
    endpoint: `http://${endpoint?.hostname}:${endpoint?.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  let failed = 0;
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const hit = fault && context.commandName === fault.command && failed < fault.times;
      if (hit && !fault.after) {
        failed++;
        throw fault.error();
      }
      const result = await next(args);
      if (hit && fault.after) {
        failed++;
        throw fault.error();
      }
      return result;
    },
    { step: 'initialize', name: 'faults' },
  );
  return DynamoDBDocumentClient.from(raw);
}

async function run(scenario: Scenario): Promise<{ row: MatrixRow; killCounts: number[] }> {
  logsMock.reset();
  sfnMock.reset();
  const executions = new Map<string, string>();
  let sfnCalls = 0;
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
    sfnCalls++;
    if (scenario.sfn === 'throttle' && sfnCalls <= 2)
      throw awsError('ThrottlingException', 400, 'Rate exceeded');
    if (executions.has(input.name)) throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
    executions.set(input.name, JSON.parse(input.input).instanceId);
    if (scenario.sfn === 'answer-lost' && sfnCalls === 1) throw awsError('TimeoutError', 0);
    return {
      executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date(),
    };
  });
  if (scenario.logs === 'throttle')
    logsMock.on(GetLogEventsCommand).rejects(awsError('ThrottlingException', 400));
  else if (scenario.logs === 'validation')
    logsMock.on(GetLogEventsCommand).rejects(awsError('InvalidParameterException', 400));
  else logsMock.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f/end' });

  const store = new DynamoIncidentStore({
    client: await faultyClient(scenario.dynamo),
    tableName: await dynamo.createTable(),
  });
  const ports: DetectPorts = {
    logs: new CloudWatchLogContextReader({
      client: new CloudWatchLogsClient({ region: 'us-east-1', maxAttempts: 1 }),
    }),
    instances: new Ec2InstanceDirectory({ client: new EC2Client({ region: 'us-east-1' }) }),
    store,
    workflow: new StepFunctionsWorkflowStarter({
      client: new SFNClient({ region: 'us-east-1', maxAttempts: 1 }),
      stateMachineArn: STATE_MACHINE,
    }),
    telemetry: recordingTelemetry(),
    now: () => new Date(T0 + 2000),
  };
  const events = INSTANCES.flatMap((instance, n) => eventsOf(instance, n, scenario));
  /** One asynchronous invocation as Lambda runs it: up to three tries, then the dead-letter queue. */
  const invoke = async (event: unknown): Promise<void> => {
    for (let attempt = 1; attempt <= LAMBDA_ATTEMPTS; attempt++) {
      try {
        await handleSubscriptionEvent(event, ports, DEFAULT_DETECT_CONFIG, 10 * 1024 * 1024);
        return;
      } catch {
        // Tried again, as Lambda does; after the last try the event goes to the dead-letter queue.
      }
    }
  };
  const copies = scenario.delivery === 'concurrent' ? 3 : 1;
  const rounds = scenario.delivery === 'repeated' ? 2 : 1;
  for (let round = 0; round < rounds; round++) {
    await Promise.all(events.flatMap((event) => Array.from({ length: copies }, () => invoke(event))));
  }
  // Each started execution is one response, and so one notification of its incident's instance.
  const deliveries: Delivery[] = [...executions.values()].map((instance) => ({
    channel: 'sns',
    incidentIds: [instance],
  }));
  const killCounts = await Promise.all(
    [...executions.keys()].map(async (id) => (await store.getIncident(id))?.killCount ?? 0),
  );
  return { row: tally('detect', scenario.fault, INSTANCES, deliveries), killCounts };
}

describe('the detect stage under faults', () => {
  it.each(SCENARIOS.map((scenario) => [scenario.fault, scenario] as const))(
    'starts one response per incident: %s',
    async (_, scenario) => {
      const { row, killCounts } = await run(scenario);
      rows.push(row);
      expect(verdict(row)).toBe('once');
      // And counts each kill once.
      expect(killCounts).toEqual(INSTANCES.map(() => killsReported(scenario)));
    },
    30_000,
  );
});
