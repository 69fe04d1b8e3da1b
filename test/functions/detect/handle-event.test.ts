import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import { Ec2InstanceDirectory } from '../../../functions/adapters/ec2/instance-directory';
import { CloudWatchLogContextReader } from '../../../functions/adapters/logs/log-context-reader';
import { StepFunctionsWorkflowStarter } from '../../../functions/adapters/sfn/workflow-starter';
import { DEFAULT_DETECT_CONFIG } from '../../../functions/core/detect/config';
import type { DetectPorts } from '../../../functions/core/detect/detect-batch';
import { handleSubscriptionEvent } from '../../../functions/detect/handle-event';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import {
  batchOf,
  matchesFilter,
  recordingTelemetry,
  reportLines,
  subscriptionEvent,
} from '../../support/subscription';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:oom-responder';
const INSTANCE = 'i-0abc1234def567890';
const T0 = Date.parse('2026-11-25T17:30:50Z');

const logs = mockClient(CloudWatchLogsClient);
const ec2 = mockClient(EC2Client);
const sfn = mockClient(SFNClient);
let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

let telemetry: ReturnType<typeof recordingTelemetry>;
let ports: DetectPorts;
let started: Set<string>;

beforeEach(async () => {
  logs.reset();
  ec2.reset();
  sfn.reset();
  telemetry = recordingTelemetry();
  started = new Set();
  // Step Functions: a name is unique; starting it again fails with ExecutionAlreadyExists.
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
    if (started.has(input.name)) throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
    started.add(input.name);
    return {
      executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date(),
    };
  });
  logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f/end' });
  ports = {
    logs: new CloudWatchLogContextReader({ client: new CloudWatchLogsClient({ region: 'us-east-1' }) }),
    instances: new Ec2InstanceDirectory({ client: new EC2Client({ region: 'us-east-1' }) }),
    store: new DynamoIncidentStore({ client: dynamo.client, tableName: await dynamo.createTable() }),
    workflow: new StepFunctionsWorkflowStarter({
      client: new SFNClient({ region: 'us-east-1' }),
      stateMachineArn: STATE_MACHINE,
    }),
    telemetry,
    now: () => new Date(T0 + 2000),
  };
});

const handle = (event: unknown) =>
  handleSubscriptionEvent(event, ports, DEFAULT_DETECT_CONFIG, 10 * 1024 * 1024);

/** The lines the subscription filter lets through, from a real report, as one batch of the instance's stream. */
function filteredBatch(host = 'ip-10-0-1-5', logStream = INSTANCE, startMs = T0) {
  return batchOf(reportLines(host).filter(matchesFilter), { logStream, startMs });
}

describe('the detect handler', () => {
  it('opens one incident and starts one response for a kill', async () => {
    const outcome = await handle(subscriptionEvent(filteredBatch()));
    expect(outcome.status).toBe('detected');
    if (outcome.status !== 'detected') return;
    expect(outcome.result.incidents).toHaveLength(1);
    const [incident] = outcome.result.incidents;
    expect(incident).toMatchObject({
      opened: true,
      kills: 1,
      instance: { instanceId: INSTANCE, resolvedBy: 'stream-name' },
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}');
    expect(input).toMatchObject({
      incidentId: incident?.incidentId,
      instanceId: INSTANCE,
      pid: '3920',
      process: 'python3',
    });
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
  });

  it('gives one incident and one execution start for the same batch delivered twice', async () => {
    const event = subscriptionEvent(filteredBatch());
    await handle(event);
    const again = await handle(event);
    expect(again.status === 'detected' && again.result.duplicates).toBe(1);
    expect(started.size).toBe(1);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(telemetry.counts.get('IncidentsOpened')).toBe(1);
    expect(telemetry.counts.get('DuplicateKills')).toBe(1);
  });

  it('gives one incident holding ten kills for ten kills on one instance within a minute', async () => {
    let incidentId: string | undefined;
    for (let i = 0; i < 10; i++) {
      const lines = reportLines()
        .filter(matchesFilter)
        .map((line) => line.replace(/3920/g, String(3920 + i)).replace('321.7', `32${i}.7`));
      const outcome = await handle(
        subscriptionEvent(batchOf(lines, { logStream: INSTANCE, startMs: T0 + i * 5000 })),
      );
      if (outcome.status === 'detected') incidentId ??= outcome.result.incidents[0]?.incidentId;
    }
    const incident = await ports.store.getIncident(incidentId ?? '');
    expect(incident?.killCount).toBe(10);
    expect(incident?.kills.map((k) => k.pid)).toEqual(Array.from({ length: 10 }, (_, i) => 3920 + i));
    expect(started.size).toBe(1);
    expect(telemetry.counts.get('JoinedKills')).toBe(9);
  });

  it('rebuilds the whole report from the stream around the kill', async () => {
    const full = reportLines();
    logs.on(GetLogEventsCommand).callsFake((input: { nextToken?: string }) =>
      input.nextToken
        ? { events: [], nextForwardToken: input.nextToken }
        : {
            events: full.map((message, i) => ({ timestamp: T0 - 50 + i, message })),
            nextForwardToken: 'f/1',
          },
    );
    const outcome = await handle(subscriptionEvent(filteredBatch()));
    const id = outcome.status === 'detected' ? outcome.result.incidents[0]?.incidentId : undefined;
    const incident = await ports.store.getIncident(id ?? '');
    expect(incident?.firstKill).toMatchObject({
      pid: 3920,
      triggeredBy: 'python3',
      memoryLimitKb: 32768,
      kernelVersion: '6.18.44-fc-v782',
    });
    expect(incident?.firstKill.tasks.map((t) => t.name)).toEqual(['python3']);
    const calls = logs.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input);
    expect(calls[0]).toMatchObject({ logStreamName: INSTANCE, startFromHead: true });
    expect((calls[0]?.endTime ?? 0) - (calls[0]?.startTime ?? 0)).toBeGreaterThanOrEqual(20_000);
    // One page reached the kill's own time: every line of the report before the kill is in.
    expect(calls).toHaveLength(1);
  });

  it('still records and starts the response when the surrounding lines cannot be read', async () => {
    logs
      .on(GetLogEventsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const outcome = await handle(subscriptionEvent(filteredBatch()));
    expect(outcome.status === 'detected' && outcome.result.incidents).toHaveLength(1);
    expect(telemetry.counts.get('ContextFetchFailures')).toBe(1);
    expect(started.size).toBe(1);
  });

  it('resolves an EC2 host name through DescribeInstances when the stream does not name the instance', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-0fedcba9876543210',
              InstanceType: 't3.large',
              PrivateIpAddress: '10.0.1.5',
              Placement: { AvailabilityZone: 'us-east-1a' },
              Tags: [{ Key: 'Name', Value: 'api-1' }],
            },
          ],
        },
      ],
    });
    const outcome = await handle(subscriptionEvent(filteredBatch('ip-10-0-1-5', 'kernel-messages')));
    expect(outcome.status === 'detected' && outcome.result.incidents[0]?.instance).toMatchObject({
      instanceId: 'i-0fedcba9876543210',
      instanceType: 't3.large',
      availabilityZone: 'us-east-1a',
      resolvedBy: 'hostname',
    });
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toContainEqual({
      Name: 'private-ip-address',
      Values: ['10.0.1.5'],
    });
  });

  it('records and notifies an unresolved host without sending anything to it', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const outcome = await handle(subscriptionEvent(filteredBatch('db-primary', 'kernel-messages')));
    expect(outcome.status === 'detected' && outcome.result.incidents[0]?.instance.resolvedBy).toBe(
      'unresolved',
    );
    expect(telemetry.counts.get('UnresolvedHosts')).toBe(1);
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}');
    expect(input.instanceId).toBeNull();
  });

  it('acknowledges a CONTROL_MESSAGE without doing anything', async () => {
    const batch = { ...filteredBatch(), messageType: 'CONTROL_MESSAGE' as const };
    expect(await handle(subscriptionEvent(batch))).toEqual({ status: 'skipped', reason: 'control-message' });
    expect(sfn.calls()).toHaveLength(0);
    expect(logs.calls()).toHaveLength(0);
  });

  it('rejects a malformed payload with a metric instead of a retry', async () => {
    const outcome = await handle({ awslogs: { data: Buffer.from('not gzip').toString('base64') } });
    expect(outcome).toMatchObject({ status: 'rejected', problem: 'gzip' });
    expect(telemetry.counts.get('MalformedPayloads')).toBe(1);
  });

  it('rethrows throttling so Lambda retries, and the retry starts the response exactly once', async () => {
    const event = subscriptionEvent(filteredBatch());
    sfn.on(StartExecutionCommand).rejectsOnce(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(handle(event)).rejects.toThrow('Rate exceeded');
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
      started.add(input.name);
      return { executionArn: `arn:aws:states:us-east-1:123456789012:execution:oom-responder:${input.name}` };
    });
    const retry = await handle(event);
    expect(retry.status === 'detected' && retry.result.incidents[0]?.executionArn).toContain(':execution:');
    expect(started.size).toBe(1);
  });
});
