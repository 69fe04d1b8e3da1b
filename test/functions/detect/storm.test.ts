import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import { Ec2InstanceDirectory } from '../../../functions/adapters/ec2/instance-directory';
import { CloudWatchLogContextReader } from '../../../functions/adapters/logs/log-context-reader';
import { StepFunctionsWorkflowStarter } from '../../../functions/adapters/sfn/workflow-starter';
import { DEFAULT_DETECT_CONFIG } from '../../../functions/core/detect/config';
import type { DetectPorts } from '../../../functions/core/detect/detect-batch';
import { handleSubscriptionEvent } from '../../../functions/detect/handle-event';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { batchOf, recordingTelemetry, reportLines, subscriptionEvent } from '../../support/subscription';

const LINES = 10;
const T0 = Date.parse('2026-11-25T17:30:50Z');
const REPORT = reportLines();
// Ten lines of each instance's real report: the trigger, the memcg summary and the kill among them.
const TEN_LINES = [0, 1, 3, 8, 9, 10, 11, 74, 76, 77].map((i) => REPORT[i] ?? '');

let dynamo: LocalDynamo;
let logs: AwsClientStub<CloudWatchLogsClient>;
let sfn: AwsClientStub<SFNClient>;
let telemetry: ReturnType<typeof recordingTelemetry>;
let ports: DetectPorts;
let store: DynamoIncidentStore;
let started: Set<string>;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

beforeEach(async () => {
  logs = mockClient(CloudWatchLogsClient);
  sfn = mockClient(SFNClient);
  mockClient(EC2Client);
  // The stream holds the instance's whole report, its last line (the kill) at the kill's time.
  logs.on(GetLogEventsCommand).callsFake((input: { startTime: number }) => ({
    events: REPORT.map((message, i) => ({
      timestamp: input.startTime + DEFAULT_DETECT_CONFIG.contextBeforeMs - (REPORT.length - 1 - i),
      message,
    })),
    nextForwardToken: 'f/1',
  }));
  started = new Set();
  telemetry = recordingTelemetry();
  store = new DynamoIncidentStore({ client: dynamo.client, tableName: await dynamo.createTable() });
  ports = {
    logs: new CloudWatchLogContextReader({ client: new CloudWatchLogsClient({ region: 'us-east-1' }) }),
    instances: new Ec2InstanceDirectory({ client: new EC2Client({ region: 'us-east-1' }) }),
    store,
    workflow: new StepFunctionsWorkflowStarter({
      client: new SFNClient({ region: 'us-east-1' }),
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:oom',
    }),
    telemetry,
    now: () => new Date(T0 + 3000),
  };
  dynamo.resetCalls();
});

function stormEvents(instances: number) {
  return Array.from({ length: instances }, (_, n) => {
    const instanceId = `i-0${n.toString(16).padStart(16, '0')}`;
    return subscriptionEvent(batchOf(TEN_LINES, { logStream: instanceId, startMs: T0 + (n % 60) * 1000 }));
  });
}

/** Invoke 25 at a time; retry what failed, as Lambda retries asynchronous invocations. Returns the retries. */
async function deliver(events: ReturnType<typeof stormEvents>): Promise<number> {
  let pending = events;
  let retries = 0;
  while (pending.length > 0) {
    const failed: typeof events = [];
    for (let i = 0; i < pending.length; i += 25) {
      const slice = pending.slice(i, i + 25);
      const outcomes = await Promise.allSettled(
        slice.map((event) => handleSubscriptionEvent(event, ports, DEFAULT_DETECT_CONFIG, 10 * 1024 * 1024)),
      );
      outcomes.forEach((outcome, j) => {
        if (outcome.status === 'rejected') failed.push(slice[j] as (typeof events)[number]);
      });
    }
    retries += failed.length;
    pending = failed;
  }
  return retries;
}

function awsCalls(): { total: number; detail: string } {
  const dynamoCalls = [...dynamo.calls.values()].reduce((a, b) => a + b, 0);
  const total = dynamoCalls + logs.calls().length + sfn.calls().length;
  const detail = `DynamoDB ${JSON.stringify(Object.fromEntries(dynamo.calls))}, GetLogEvents ${logs.calls().length}, StartExecution ${sfn.calls().length}`;
  return { total, detail };
}

describe('a fleet-wide storm', () => {
  it(`gives 1,000 incidents and 1,000 starts for 1,000 instances x ${LINES} lines, in at most 4 AWS calls each`, async () => {
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
      started.add(input.name);
      return { executionArn: `arn:aws:states:us-east-1:123456789012:execution:oom:${input.name}` };
    });
    const retries = await deliver(stormEvents(1000));
    const calls = awsCalls();
    console.log(
      `storm: 1000 incidents, ${calls.total} AWS calls, ${(calls.total / 1000).toFixed(2)} per incident (${calls.detail})`,
    );
    expect(retries).toBe(0);
    expect(started.size).toBe(1000);
    expect(sfn.calls()).toHaveLength(1000);
    expect(telemetry.counts.get('IncidentsOpened')).toBe(1000);
    // Common path (issue 13): GetLogEvents, one transaction, StartExecution and the mark that it started.
    expect(calls.total / 1000).toBeLessThanOrEqual(4);
    const window = new Date(Math.floor(T0 / 300_000) * 300_000).toISOString();
    const storm = await store.stormWindow(window);
    expect(storm.incidents).toBe(1000);
    expect(storm.byProcess).toEqual({ python3: 1000 });
    expect(Object.keys(storm.byInstance)).toHaveLength(1000);
    // The whole report was rebuilt for each: the task table came from the stream, not from the ten lines.
    const incident = await store.getIncident([...started][0] ?? '');
    expect(incident?.firstKill.tasks).toHaveLength(1);
  }, 120_000);

  it('drops nothing when Step Functions throttles: the retried invocations start what was left', async () => {
    let attempts = 0;
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
      if (++attempts % 5 === 0) {
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
          $metadata: { httpStatusCode: 400 },
        });
      }
      started.add(input.name);
      return { executionArn: `arn:aws:states:us-east-1:123456789012:execution:oom:${input.name}` };
    });
    const retries = await deliver(stormEvents(200));
    const calls = awsCalls();
    console.log(
      `storm with throttling: 200 incidents, ${retries} retried invocations, ${calls.total} AWS calls (${calls.detail})`,
    );
    expect(retries).toBeGreaterThan(0);
    expect(started.size).toBe(200);
    expect(telemetry.counts.get('IncidentsOpened')).toBe(200);
  }, 120_000);
});
