import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { incidentItem, keys } from '../../../functions/adapters/dynamodb/items';
import { DynamoNotificationStore } from '../../../functions/adapters/dynamodb/notification-store';
import type { NotifyChannel } from '../../../functions/core/incident/model';
import { type NotifyIncidentConfig, notifyIncident } from '../../../functions/core/respond/notify-incident';
import type { DeliveryStore } from '../../../functions/core/respond/notify-ports';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { formatMatrix, type MatrixRow, tally, verdict } from '../../support/fault-matrix';
import { realKill, recordRequest } from '../../support/kills';
import { type FakeSlack, type SlackReply, startFakeSlack, WEBHOOK_PATH } from '../../support/slack-server';
import { awsError, clockPorts, deliveriesOf, FaultySns } from './storm-deliveries';
import { asWorkflow, FakeClock, overruns, type RunResult } from './workflow-retries';

const T0 = Date.parse('2026-11-25T18:28:15Z');
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:OomResponderResponse:';
const CONFIG: NotifyIncidentConfig = {
  stormThreshold: 5,
  stormWindowMs: 300_000,
  qDeveloperFormat: false,
  outputBucket: null,
  partition: 'aws',
  region: 'us-east-1',
};
type Method = keyof DeliveryStore;

/** The DynamoDB store on dynalite, with writes or reads failing as a scenario says (DynamoDB's own errors). */
class FaultyStore {
  readonly failures = new Map<Method, number>();
  readonly store: DeliveryStore;

  constructor(inner: DeliveryStore) {
    this.store = new Proxy(inner, {
      get: (target, name, receiver) => {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const left = this.failures.get(name as Method) ?? 0;
          if (left > 0) {
            this.failures.set(name as Method, left - 1);
            throw awsError(
              'ProvisionedThroughputExceededException',
              'The level of configured provisioned throughput for the table was exceeded.',
            );
          }
          return value.apply(target, args);
        };
      },
    });
  }
}

interface Scenario {
  fault: string;
  slack?: SlackReply[];
  /** Real milliseconds the Slack adapter waits for an answer (a hung Slack is given up on after this). */
  slackTimeoutMs?: number;
  sns?: { format: string; remaining: number; error: () => Error }[];
  store?: [Method, number][];
  q?: boolean;
  /** Invocations of the same incident's Notify task that start together (the rule and the workflow, say). */
  concurrent?: number;
  /** The step runs again after it succeeded (its answer was lost; the execution-ended rule fired). */
  repeat?: boolean;
  check?: (s: Outcome) => void;
}

interface Outcome {
  results: RunResult<unknown>[];
  slack: FakeSlack;
  sns: FaultySns;
  record: Awaited<ReturnType<DeliveryStore['getIncident']>>;
}

const ok: SlackReply = { status: 200, body: 'ok' };
const rateLimited: SlackReply = { status: 429, body: 'rate_limited', headers: { 'Retry-After': '30' } };
const always = (name: string, message?: string) => () => awsError(name, message);

const SCENARIOS: Scenario[] = [
  { fault: 'none' },
  {
    fault: 'Slack 429, Retry-After 30, 60 s budget',
    slack: [rateLimited, rateLimited, rateLimited, ok],
    check: ({ slack }) => expect(slack.requests.map((r) => r.answered)).toEqual([429, 429, 429, 200]),
  },
  { fault: 'Slack 429 that never clears', slack: [rateLimited] },
  { fault: 'Slack 5xx', slack: [{ status: 500, body: 'internal_error' }, { status: 503, body: '' }, ok] },
  { fault: 'Slack 5xx that never clears', slack: [{ status: 502, body: 'bad_gateway' }] },
  { fault: 'Slack hang', slack: ['hang'], slackTimeoutMs: 200 },
  { fault: 'Slack drops the connection', slack: ['drop-connection'] },
  {
    fault: 'Slack 4xx (400 invalid_blocks)',
    slack: [{ status: 400, body: 'invalid_blocks' }],
    check: ({ record, slack }) => {
      expect(slack.requests).toHaveLength(1);
      expect(record?.notification?.slack.status).toBe('failed');
    },
  },
  { fault: 'Slack 404 no_service', slack: [{ status: 404, body: 'no_service' }] },
  {
    fault: 'SNS throttling',
    sns: [{ format: 'text', remaining: 3, error: always('ThrottlingException', 'Rate exceeded') }],
  },
  { fault: 'SNS 5xx', sns: [{ format: 'text', remaining: 2, error: always('InternalErrorException') }] },
  {
    fault: 'SNS fails every time',
    sns: [{ format: 'text', remaining: 99, error: always('KMSThrottlingException') }],
    check: ({ record }) => expect(record?.notification?.sns.status).toBe('failed'),
  },
  {
    fault: 'SNS throttled and Slack 429 together',
    slack: [rateLimited, rateLimited, ok],
    sns: [{ format: 'text', remaining: 2, error: always('ThrottlingException') }],
  },
  { fault: 'record write fails once after a send', store: [['settleDelivery', 1]] },
  { fault: 'record writes fail for a whole invocation', store: [['settleDelivery', 6]] },
  { fault: 'claim write fails', store: [['claimDelivery', 1]] },
  { fault: 'summary write fails', store: [['recordNotification', 1]] },
  { fault: 'incident read throttled', store: [['getIncident', 1]] },
  { fault: 'storm window query throttled', store: [['stormWindow', 1]] },
  {
    fault: 'Q publish fails',
    q: true,
    sns: [{ format: 'q-developer', remaining: 2, error: always('InternalErrorException') }],
    check: ({ sns }) => expect(sns.published.map((p) => p.format).sort()).toEqual(['q-developer', 'text']),
  },
  { fault: 'repeated (retried) invocation', repeat: true, q: true },
  { fault: 'concurrent invocations', concurrent: 2, q: true },
  { fault: 'concurrent invocations, Slack 429', concurrent: 3, slack: [rateLimited, ok] },
];

let dynamo: LocalDynamo;
let slack: FakeSlack;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
  await dynamo.close();
});
beforeEach(() => {
  slack.requests.length = 0;
  slack.reply(ok);
});

/** One incident, recorded as the detector does, notified under one scenario's faults as the workflow retries it. */
async function run(scenario: Scenario): Promise<{ row: MatrixRow; outcome: Outcome }> {
  const tableName = await dynamo.createTable();
  const request = recordRequest('i-0a1b2c3d4e5f60789', [{ kill: realKill(), observedAtMs: T0 }]);
  const { incident } = request;
  await dynamo.client.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...incidentItem(incident, request.instanceKey, request.expiresAt),
        ...keys.storm(request.stormWindow, incident.observedAt, incident.id),
      },
    }),
  );
  const faulty = new FaultyStore(new DynamoNotificationStore({ client: dynamo.client, tableName }));
  for (const [method, times] of scenario.store ?? []) faulty.failures.set(method, times);
  const sns = new FaultySns();
  sns.failures = scenario.sns ?? [];
  slack.reply(...(scenario.slack ?? [ok]));
  const clock = new FakeClock(T0 + 60_000);
  const lines: string[] = [];
  const telemetry = {
    info: (message: string, fields?: Record<string, unknown>) =>
      lines.push(`${message} ${JSON.stringify(fields)}`),
    warn: (message: string, fields?: Record<string, unknown>) =>
      lines.push(`${message} ${JSON.stringify(fields)}`),
    count: () => {},
  };
  const event = {
    state: {
      incidentId: incident.id,
      instanceId: incident.instance.instanceId,
      killTime: incident.observedAt,
      pid: String(incident.firstKill.pid),
      process: incident.firstKill.process ?? '',
      unit: '',
      memcgPath: '',
    },
    executionArn: `${EXECUTION}${incident.id}`,
  };
  const config = { ...CONFIG, qDeveloperFormat: scenario.q ?? false };
  const invoke = (remainingMs: () => number) =>
    notifyIncident(
      event,
      clockPorts({ store: faulty.store, telemetry }, slack, sns, clock, remainingMs, scenario.slackTimeoutMs),
      config,
    );
  const copies = scenario.concurrent ?? 1;
  const results = await asWorkflow(
    clock,
    Array.from({ length: copies }, (_, i) => ({ id: `${incident.id}#${i}`, firstAtMs: clock.ms, invoke })),
  );
  if (scenario.repeat)
    results.push(...(await asWorkflow(clock, [{ id: incident.id, firstAtMs: clock.ms + 5_000, invoke }])));
  // No secret in any log line, whatever failed.
  expect(lines.join('\n')).not.toContain(WEBHOOK_PATH);
  const record = await new DynamoNotificationStore({ client: dynamo.client, tableName }).getIncident(
    incident.id,
  );
  const outcome: Outcome = { results, slack, sns, record };
  const row = tally('notify', scenario.fault, [incident.id], deliveriesOf(slack, sns.published));
  return { row, outcome };
}

describe('the notify fault matrix: every incident reaches on-call exactly once', () => {
  const rows: MatrixRow[] = [];
  afterAll(() => {
    console.log(
      formatMatrix('## notify (notifyIncident on dynalite, the real Slack adapter on loopback)', rows),
    );
  });

  it.each(SCENARIOS.map((s) => [s.fault, s] as const))('%s', async (_, scenario) => {
    const before = overruns.count;
    const { row, outcome } = await run(scenario);
    rows.push(row);
    // No invocation outlived the function's 60 s timeout, whatever Slack asked it to wait.
    expect(overruns.count - before).toBe(0);
    expect(verdict(row)).toBe('once');
    // Every run ends: told, with the record on the incident; none is left for the workflow to fail.
    expect(outcome.results.map((r) => r.error && String(r.error))).toEqual(outcome.results.map(() => null));
    expect(outcome.record?.status).toBe('notified');
    expect(outcome.record?.notification).toBeDefined();
    const channels: NotifyChannel[] = ['sns', 'slack'];
    for (const channel of channels) expect(outcome.record?.deliveries?.[channel]?.status).not.toBe('sending');
    scenario.check?.(outcome);
  });
});
