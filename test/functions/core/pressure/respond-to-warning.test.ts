import { beforeEach, describe, expect, it } from 'vitest';
import type {
  PressureMetric,
  PressurePorts,
  PressureStore,
  RecordWarningRequest,
  RecordWarningResult,
} from '../../../../functions/core/pressure/ports';
import { respondToWarning } from '../../../../functions/core/pressure/respond-to-warning';
import {
  type PressureWorkflowInput,
  PressureWorkflowInputSchema,
} from '../../../../functions/core/workflow/pressure-state';
import {
  DOCUMENTED_CONTRIBUTOR,
  documentedEvent,
  EARLY_WARNING_ALARM_ARN,
  earlyWarningEvent,
} from '../../../support/pressure-events';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponder-Pressure';
const INSTANCE = 'i-0abc1234def567890';
const MINUTE = 60_000;
const CONFIG = { cooldownMs: 60 * MINUTE, retentionMs: 30 * 86_400_000, stateMachineArn: STATE_MACHINE };

/**
 * An in-memory store with the DynamoDB store's semantics (the marker is taken when free, expired or its own; the
 * incident is written once), so the use case is tested apart from DynamoDB; the DynamoDB store has its own suite.
 */
class MemoryPressureStore implements PressureStore {
  readonly markers = new Map<string, { incidentId: string; untilMs: number }>();
  readonly incidents = new Map<string, RecordWarningRequest['incident']>();

  async recordWarning(request: RecordWarningRequest): Promise<RecordWarningResult> {
    const marker = this.markers.get(request.instanceKey);
    const own = request.incident.id;
    if (marker && marker.untilMs > request.warnedAtMs && marker.incidentId !== own) {
      return { outcome: 'cooling', incidentId: marker.incidentId, cooldownUntilMs: marker.untilMs };
    }
    if (this.incidents.has(own)) return { outcome: 'duplicate' };
    this.markers.set(request.instanceKey, {
      incidentId: own,
      untilMs: request.warnedAtMs + request.cooldownMs,
    });
    this.incidents.set(own, request.incident);
    return { outcome: 'recorded' };
  }
}

let store: MemoryPressureStore;
let started: Map<string, PressureWorkflowInput>;
let starts: number;
let counts: Map<PressureMetric, number>;
let ports: PressurePorts;

beforeEach(() => {
  store = new MemoryPressureStore();
  started = new Map();
  starts = 0;
  counts = new Map();
  ports = {
    store,
    // Like Step Functions: an execution name is taken once; a second start of it says so.
    workflow: {
      start: async (name, input) => {
        starts++;
        const executionArn = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
        if (started.has(name)) return { executionArn, alreadyStarted: true };
        started.set(name, input);
        return { executionArn, alreadyStarted: false };
      },
    },
    telemetry: {
      info: () => {},
      warn: () => {},
      count: (metric, value = 1) => counts.set(metric, (counts.get(metric) ?? 0) + value),
    },
    now: () => new Date('2025-12-01T13:42:06Z'),
  };
});

/** The documented warning moved by `minutes` (a later datapoint of the same contributor). */
const at = (minutes: number) =>
  earlyWarningEvent(INSTANCE, {
    state: {
      timestamp: new Date(Date.parse('2025-12-01T13:42:04.919Z') + minutes * MINUTE)
        .toISOString()
        .replace('Z', '+0000'),
    },
  });

describe('a memory-pressure warning, from the documented contributor event', () => {
  it('records the incident and starts the pressure workflow with what the event says', async () => {
    const outcome = await respondToWarning(at(0), ports, CONFIG);
    expect(outcome).toMatchObject({ status: 'started', alreadyStarted: false, duplicate: false });
    if (outcome.status !== 'started') throw new Error('not started');
    const input = started.get(outcome.incidentId);
    // From the event: its alarm, its contributor's InstanceId, the query's metric, the reason's figures
    // ("less than the threshold (1.0) ... crossed the threshold: [0.0 (01/12/25 13:34:00)]") and its time.
    expect(input).toEqual({
      mode: 'pressure',
      incidentId: outcome.incidentId,
      instanceId: INSTANCE,
      alarmName: 'OomResponder-AvailableMemoryLow',
      alarmArn: EARLY_WARNING_ALARM_ARN,
      metric: 'mem_available_percent',
      latestValue: 0,
      threshold: 1,
      warnedAt: '2025-12-01T13:42:04.919Z',
    });
    expect(PressureWorkflowInputSchema.safeParse(input).success).toBe(true);
    expect(outcome.incidentId).toMatch(/^pressure-20251201T134204-[0-9a-f]{16}$/);
    expect(store.incidents.get(outcome.incidentId)?.executionArn).toBe(outcome.executionArn);
    expect(counts.get('PressureWarnings')).toBe(1);
    expect(counts.get('PressureWorkflowsStarted')).toBe(1);
  });

  it('starts one execution when EventBridge delivers the same event twice', async () => {
    const first = await respondToWarning(at(0), ports, CONFIG);
    const second = await respondToWarning(structuredClone(at(0)), ports, CONFIG);
    expect(second).toMatchObject({ status: 'started', duplicate: true, alreadyStarted: true });
    expect(second.status === 'started' && first.status === 'started' && second.incidentId).toBe(
      first.status === 'started' && first.incidentId,
    );
    expect(started.size).toBe(1);
    expect(counts.get('DuplicatePressureWarnings')).toBe(1);
    expect(counts.get('PressureWorkflowsStarted')).toBe(1);
  });

  it('answers a later warning of the instance within the cooldown with nothing but a count', async () => {
    const first = await respondToWarning(at(0), ports, CONFIG);
    const later = await respondToWarning(at(20), ports, CONFIG);
    expect(later).toMatchObject({
      status: 'cooling',
      openIncidentId: first.status === 'started' ? first.incidentId : '',
      cooldownUntil: '2025-12-01T14:42:04.919Z',
    });
    expect(starts).toBe(1);
    expect(counts.get('PressureWarningsCoolingDown')).toBe(1);
  });

  it('answers the swap alarm of the same instance within the cooldown with nothing either', async () => {
    await respondToWarning(at(0), ports, CONFIG);
    const swap = earlyWarningEvent(INSTANCE, {
      alarmName: 'OomResponder-SwapUseHigh',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:OomResponder-SwapUseHigh',
    });
    expect(await respondToWarning(swap, ports, CONFIG)).toMatchObject({ status: 'cooling' });
    expect(starts).toBe(1);
  });

  it('answers again once the cooldown is over, and another instance at once', async () => {
    await respondToWarning(at(0), ports, CONFIG);
    const other = earlyWarningEvent('i-0fedcba9876543210');
    expect(await respondToWarning(other, ports, CONFIG)).toMatchObject({ status: 'started' });
    expect(await respondToWarning(at(60), ports, CONFIG)).toMatchObject({
      status: 'started',
      duplicate: false,
    });
    expect(started.size).toBe(3);
  });
});

describe('what is not a warning to answer', () => {
  it('leaves a warning an alarm mute rule mutes: no incident, no cooldown, no workflow; counted and logged', async () => {
    const muted = earlyWarningEvent(INSTANCE, {
      muteDetail: {
        mutedByArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:maintenance',
        muteWindowStart: '2025-12-01T13:00:00.000+0000',
        muteWindowEnd: '2025-12-01T15:00:00.000+0000',
      },
    });
    expect(await respondToWarning(muted, ports, CONFIG)).toEqual({
      status: 'muted',
      alarmName: 'OomResponder-AvailableMemoryLow',
      instanceId: INSTANCE,
      mutedBy: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:maintenance',
      until: '2025-12-01T15:00:00.000Z',
    });
    expect(starts).toBe(0);
    expect(store.incidents.size).toBe(0);
    expect(store.markers.size).toBe(0);
    expect(counts.get('PressureWarningsMuted')).toBe(1);
    expect(counts.get('PressureWarnings')).toBeUndefined();
    // Once the window is over, the same instance's next warning is answered: the mute took no cooldown.
    const after = earlyWarningEvent(INSTANCE, {
      state: { timestamp: '2025-12-01T15:10:00.000+0000' },
      muteDetail: null,
    });
    expect(await respondToWarning(after, ports, CONFIG)).toMatchObject({ status: 'started' });
  });

  it("answers a warning whose mute rule's window does not hold it (AWS's sample: a window a month later)", async () => {
    expect(await respondToWarning(earlyWarningEvent(INSTANCE), ports, CONFIG)).toMatchObject({
      status: 'started',
    });
    expect(counts.get('PressureWarningsMuted')).toBeUndefined();
  });

  it('ignores a contributor back to OK, counting it', async () => {
    const ok = earlyWarningEvent(INSTANCE, { state: { value: 'OK' } });
    expect(await respondToWarning(ok, ports, CONFIG)).toMatchObject({ status: 'ignored', reason: 'ok' });
    expect(starts).toBe(0);
    expect(store.incidents.size).toBe(0);
    expect(counts.get('PressureWarningsIgnored')).toBe(1);
  });

  it('ignores the documented sample itself: its contributor is a DynamoDB table, not an instance', async () => {
    const outcome = await respondToWarning(DOCUMENTED_CONTRIBUTOR, ports, CONFIG);
    expect(outcome).toMatchObject({
      status: 'ignored',
      reason: 'not-an-instance',
      alarmName: 'DynamoDBInsightsAlarm',
    });
    expect(outcome.status === 'ignored' && outcome.message).toContain('TableName');
    expect(starts).toBe(0);
    expect(counts.get('PressureWarningsIgnored')).toBe(1);
  });

  it("rejects the alarm's own state change (documented), which names no contributor, without throwing", async () => {
    const alarm = documentedEvent('cloudwatch-alarm-state-change-multi-time-series');
    const outcome = await respondToWarning(alarm, ports, CONFIG);
    expect(outcome).toMatchObject({ status: 'rejected' });
    expect(counts.get('MalformedPressureEvents')).toBe(1);
    expect(starts).toBe(0);
  });

  it('throws what the store throws, so that Lambda retries the event', async () => {
    ports.store = { recordWarning: async () => Promise.reject(new Error('ProvisionedThroughputExceeded')) };
    await expect(respondToWarning(at(0), ports, CONFIG)).rejects.toThrow('ProvisionedThroughputExceeded');
    expect(starts).toBe(0);
  });
});
