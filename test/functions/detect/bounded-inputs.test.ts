import { gzipSync } from 'node:zlib';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CloudWatchLogContextReader,
  GET_LOG_EVENTS_CLIENT_CONFIG,
} from '../../../functions/adapters/logs/log-context-reader';
import { MemoryIncidentStore } from '../../../functions/adapters/memory/incident-store';
import { DEFAULT_DETECT_CONFIG } from '../../../functions/core/detect/config';
import {
  ContextReadBudget,
  type ContextReadLimits,
  DEFAULT_CONTEXT_READ_LIMITS,
} from '../../../functions/core/detect/context-budget';
import type { DetectPorts } from '../../../functions/core/detect/detect-batch';
import type { LogContextReader } from '../../../functions/core/detect/ports';
import type { Incident } from '../../../functions/core/incident/model';
import type { ResponseOutcome } from '../../../functions/core/incident/outcome';
import { renderPlainText, renderSlackMessage } from '../../../functions/core/render';
import { handleSubscriptionEvent } from '../../../functions/detect/handle-event';
import { resolvedInstance } from '../../support/kills';
import { type MotoServer, moto, startMoto } from '../../support/moto-server';
import {
  batchOf,
  DOCUMENTED_CONTROL_MESSAGE,
  matchesFilter,
  recordingTelemetry,
  reportLines,
  subscriptionEvent,
} from '../../support/subscription';
import { killSeries, reportAround } from './kill-series';

const INSTANCE = 'i-0abc1234def567890';
const T0 = Date.parse('2026-11-25T17:30:50Z');
const logs = mockClient(CloudWatchLogsClient);

let store: MemoryIncidentStore;
let telemetry: ReturnType<typeof recordingTelemetry>;

beforeEach(() => {
  logs.reset();
  store = new MemoryIncidentStore();
  telemetry = recordingTelemetry();
});

/** The detector's ports, its reader on one invocation's budget (the Lambda builds one per invocation). */
function portsWith(logsPort: LogContextReader): DetectPorts {
  return {
    logs: logsPort,
    instances: { resolve: async () => resolvedInstance(INSTANCE) },
    store,
    workflow: {
      start: async (name) => ({
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:oom:${name}`,
        alreadyStarted: false,
      }),
    },
    telemetry,
    now: () => new Date(T0 + 3000),
  };
}

function budgetedReader(
  limits: Partial<ContextReadLimits> = {},
  remainingMs = () => 60_000,
  client = new CloudWatchLogsClient({ region: 'us-east-1' }),
) {
  const budget = new ContextReadBudget({ ...DEFAULT_CONTEXT_READ_LIMITS, ...limits }, remainingMs);
  return { budget, reader: new CloudWatchLogContextReader({ client, budget }) };
}

const handle = (event: unknown, ports: DetectPorts) =>
  handleSubscriptionEvent(event, ports, DEFAULT_DETECT_CONFIG, 10 * 1024 * 1024);

const throttling = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

async function incidents(outcome: Awaited<ReturnType<typeof handle>>): Promise<Incident[]> {
  if (outcome.status !== 'detected') throw new Error(`not detected: ${outcome.status}`);
  const found = await Promise.all(outcome.result.incidents.map((i) => store.getIncident(i.incidentId)));
  return found.filter((incident): incident is Incident => incident !== null);
}

/** What the notifier renders when the workflow could not collect diagnostics: the incident alone. */
function outcomeOf(incident: Incident): ResponseOutcome {
  return {
    incident,
    diagnostics: { status: 'skipped', summary: null, detail: null, commandId: null, outputS3Uri: null },
    analysis: null,
    actions: [],
    failure: null,
    context: { partition: 'aws', region: 'us-east-1', accountId: '123456789012', executionArn: null },
  };
}

const NOTE = 'The full kernel report was not fetched from the log stream';

describe('the detect handler on bounded inputs', () => {
  it('skips a CONTROL_MESSAGE with empty ids, without counting it as malformed', async () => {
    const documented = DOCUMENTED_CONTROL_MESSAGE;
    const event = { awslogs: { data: gzipSync(JSON.stringify(documented)).toString('base64') } };
    const { reader } = budgetedReader();
    expect(await handle(event, portsWith(reader))).toEqual({ status: 'skipped', reason: 'control-message' });
    expect(telemetry.counts.get('MalformedPayloads')).toBeUndefined();
    expect(logs.calls()).toHaveLength(0);
  });

  it.each([
    ['10 MiB of nested arrays', () => gzipSync(`${'['.repeat(5_242_848)}${']'.repeat(5_242_848)}`)],
    ['a gzip bomb', () => gzipSync(Buffer.alloc(64 * 1024 * 1024, 32), { level: 9 })],
  ])('counts %s and rethrows it, so that the dead-letter queue keeps it', async (_, payload) => {
    const event = { awslogs: { data: payload().toString('base64') } };
    const { reader } = budgetedReader();
    await expect(handle(event, portsWith(reader))).rejects.toMatchObject({
      problem: 'too-large',
      retryable: false,
    });
    expect(telemetry.counts.get('MalformedPayloads')).toBe(1);
    expect(telemetry.lines.at(-1)?.message).toMatch(/dead-letter queue keeps it/);
  });

  it('records a kill from its own lines when GetLogEvents is throttled on every call, and says so', async () => {
    logs.on(GetLogEventsCommand).rejects(throttling());
    const { budget, reader } = budgetedReader();
    const batch = batchOf(reportLines().filter(matchesFilter), { logStream: INSTANCE, startMs: T0 });
    const [incident] = await incidents(await handle(subscriptionEvent(batch), portsWith(reader)));
    expect(budget.used).toBe(1);
    expect(logs.commandCalls(GetLogEventsCommand)).toHaveLength(1);
    expect(incident?.firstKill).toMatchObject({ pid: 3920, process: 'python3', tasks: [] });
    expect(incident?.reportGap).toEqual({ reason: 'failed', detail: 'ThrottlingException: Rate exceeded' });
    if (!incident) return;
    const slack = JSON.stringify(renderSlackMessage(outcomeOf(incident)));
    expect(slack).toContain(NOTE);
    expect(slack).toContain('ThrottlingException: Rate exceeded');
    expect(renderPlainText(outcomeOf(incident))).toContain(`! ${NOTE}`);
  });

  it('abandons a read that would run into the deadline, and the note says why', async () => {
    logs.on(GetLogEventsCommand).callsFake(() => new Promise(() => {}));
    const { reader } = budgetedReader({}, () => DEFAULT_CONTEXT_READ_LIMITS.reserveMs + 20);
    const batch = batchOf(reportLines().filter(matchesFilter), { logStream: INSTANCE, startMs: T0 });
    const [incident] = await incidents(await handle(subscriptionEvent(batch), portsWith(reader)));
    expect(incident?.reportGap?.reason).toBe('deadline');
    if (incident) expect(renderPlainText(outcomeOf(incident))).toMatch(/too little time was left/);
  });

  describe('in a storm of 1,000 kills in one batch (one every 30 s: 1,000 windows of the stream)', () => {
    const series = () =>
      subscriptionEvent(killSeries(1000, { logStream: INSTANCE, startMs: T0, stepMs: 30_000 }));
    const stream = (input: { startTime?: number }) => {
      const killAt = (input.startTime ?? 0) + DEFAULT_DETECT_CONFIG.contextBeforeMs;
      return {
        events: reportAround(killAt, Math.round((killAt - 2 - T0) / 30_000)),
        nextForwardToken: 'f/1',
      };
    };

    async function run(reader: LogContextReader) {
      const found = await incidents(await handle(series(), portsWith(reader)));
      return {
        calls: logs.commandCalls(GetLogEventsCommand).length,
        kills: found.reduce((sum, incident) => sum + incident.killCount, 0),
        incidents: found.length,
        noted: found.filter((incident) => incident.reportGap).length,
        rebuilt: found.filter((incident) => incident.firstKill.tasks.length > 0).length,
      };
    }

    it('makes at most its budget of GetLogEvents calls, and records every kill', async () => {
      logs.on(GetLogEventsCommand).callsFake(stream);
      const unbudgeted = await run(
        new CloudWatchLogContextReader({ client: new CloudWatchLogsClient({ region: 'us-east-1' }) }),
      );
      logs.resetHistory();
      store = new MemoryIncidentStore();
      const budgeted = await run(budgetedReader().reader);
      console.log(
        `storm of 1,000 kills: GetLogEvents calls unbudgeted ${unbudgeted.calls}, on the budget ${budgeted.calls} ` +
          `(limit ${DEFAULT_CONTEXT_READ_LIMITS.maxCalls}); ${budgeted.incidents} incidents, ${budgeted.kills} kills, ` +
          `${budgeted.rebuilt} first kills rebuilt from the stream, ${budgeted.noted} noted as not fetched`,
      );
      expect(unbudgeted.calls).toBe(1000);
      expect(budgeted.calls).toBeLessThanOrEqual(DEFAULT_CONTEXT_READ_LIMITS.maxCalls);
      expect(budgeted.kills).toBe(1000);
      // Every call went to a kill that opens an incident: the reports the messages show.
      expect(budgeted.rebuilt).toBe(budgeted.calls);
      expect(budgeted.rebuilt + budgeted.noted).toBe(budgeted.incidents);
    });

    it('makes one call when every call is throttled, and records every kill with the note', async () => {
      logs.on(GetLogEventsCommand).rejects(throttling());
      const throttled = await run(budgetedReader().reader);
      console.log(
        `storm of 1,000 kills, GetLogEvents throttled: ${throttled.calls} call(s); ${throttled.incidents} incidents, ` +
          `${throttled.kills} kills, ${throttled.noted} noted as not fetched`,
      );
      expect(throttled.calls).toBe(1);
      expect(throttled.kills).toBe(1000);
      expect(throttled.noted).toBe(throttled.incidents);
    });
  });
});

// The happy path over real HTTP: a real SDK client with the detector's settings reads the report back from
// moto server's CloudWatch Logs, within the budget.
describe.skipIf(!moto.path)('the detect handler reading the stream from moto server', () => {
  let server: MotoServer;
  beforeAll(async () => {
    server = await startMoto();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('rebuilds the whole report within its call budget, with no note', async () => {
    logs.restore();
    const client = new CloudWatchLogsClient({ ...server.clientConfig, ...GET_LOG_EVENTS_CLIENT_CONFIG });
    const logGroup = '/oom-responder/kernel';
    await client.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
    await client.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: INSTANCE }));
    // AWS refuses events older than 14 days: the report is put an hour ago, one line a millisecond.
    const start = Date.now() - 3_600_000;
    const lines = reportLines();
    await client.send(
      new PutLogEventsCommand({
        logGroupName: logGroup,
        logStreamName: INSTANCE,
        logEvents: lines.map((message, i) => ({ timestamp: start + i, message })),
      }),
    );
    // The subscription delivers the lines its filter passes, with the times the stream holds them at.
    const passed = lines.flatMap((message, i) =>
      matchesFilter(message) ? [{ message, at: start + i }] : [],
    );
    const batch = batchOf(
      passed.map((line) => line.message),
      { logStream: INSTANCE, startMs: 0 },
    );
    batch.logEvents.forEach((event, i) => {
      event.timestamp = passed[i]?.at ?? 0;
    });
    const { budget, reader } = budgetedReader({}, () => 60_000, client);
    const [incident] = await incidents(await handle(subscriptionEvent(batch), portsWith(reader)));
    console.log(`moto: report rebuilt with ${budget.used} GetLogEvents call(s)`);
    expect(budget.used).toBeLessThanOrEqual(DEFAULT_CONTEXT_READ_LIMITS.maxCalls);
    expect(incident?.reportGap).toBeUndefined();
    expect(incident?.firstKill.tasks.map((task) => task.name)).toEqual(['python3']);
    expect(incident?.firstKill).toMatchObject({ memoryLimitKb: 32768, kernelVersion: '6.18.44-fc-v782' });
    client.destroy();
  });
});
