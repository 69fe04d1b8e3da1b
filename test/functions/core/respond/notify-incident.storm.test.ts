import { describe, expect, it } from 'vitest';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { notifyIncident } from '../../../../functions/core/respond/notify-incident';
import type { DeliveryStore } from '../../../../functions/core/respond/notify-ports';
import { ROLLUP_FOLLOW_UP_MS, ROLLUP_LISTS_AT_MOST } from '../../../../functions/core/respond/storm-plan';
import { formatMatrix, tally, verdict } from '../../../support/fault-matrix';
import { realKill, recordRequest } from '../../../support/kills';
import { clockPorts, deliveriesOf, FaultySns, idsIn } from '../../notify/storm-deliveries';
import { asWorkflow, FakeClock, type Run } from '../../notify/workflow-retries';
import { COLLECTED, CONFIG, payload, T0, useNotifyHarness } from './notify-harness';

const h = useNotifyHarness();
/** As the Lambda is configured: short follow-ups wait a minute after the previous rollup. */
const STORM_CONFIG = { ...CONFIG, stormFollowUpMs: ROLLUP_FOLLOW_UP_MS };

/** A store that counts its calls: the notifier's AWS calls, as the DynamoDB store would make them one each. */
function counting(store: DeliveryStore): { store: DeliveryStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

interface StormRun {
  ids: string[];
  /** Runs that ended in an error, by incident id. */
  failed: string[];
  sns: FaultySns;
  calls: Map<string, number>;
  invocations: number;
}

/**
 * `count` incidents on as many instances, `gapMs` apart in one storm window, each with `killsEach` kills: each is
 * recorded as the detector would, and its workflow reaches Notify 30 s later, retried as Step Functions would.
 */
async function storm(
  count: number,
  gapMs: number,
  killsEach = 1,
  process?: (i: number) => string,
  /** The incident whose notify step fails every time it tries to send (its Lambda dies first). */
  broken?: number,
): Promise<StormRun> {
  const clock = new FakeClock(T0);
  const sns = new FaultySns();
  const { store, calls } = counting(h.store);
  const ids: string[] = [];
  const runs: Run<unknown>[] = [];
  // Recorded as time reaches them: a notify step sees only the incidents the detector has recorded by then.
  const toRecord: { at: number; request: ReturnType<typeof recordRequest> }[] = [];
  const recordDue = async () => {
    while (toRecord[0] && toRecord[0].at <= clock.ms) {
      const next = toRecord.shift();
      if (next) await h.store.recordKills(next.request);
    }
  };
  for (let i = 0; i < count; i++) {
    const at = T0 + i * gapMs;
    const instance = `i-0${i.toString(16).padStart(16, '0')}`;
    const kills = Array.from({ length: killsEach }, (_, k) => ({
      kill: realKill({ pid: 1000 + k, kernelTime: 100 + k, ...(process ? { process: process(i) } : {}) }),
      observedAtMs: at + k,
    }));
    const request = recordRequest(instance, kills);
    ids.push(request.incident.id);
    toRecord.push({ at, request });
    runs.push({
      id: request.incident.id,
      firstAtMs: at + 30_000,
      invoke: async (remainingMs) => {
        await recordDue();
        const own = i === broken ? dying(store) : store;
        const ports = clockPorts({ store: own, telemetry: h.telemetry }, h.slack, sns, clock, remainingMs);
        return notifyIncident(payload(request, COLLECTED), ports, STORM_CONFIG);
      },
    });
  }
  const results = await asWorkflow(clock, runs);
  const failed = results.filter((r) => r.error !== null).map((r) => r.id);
  if (broken === undefined) expect(failed).toEqual([]);
  return { ids, failed, sns, calls, invocations: results.reduce((sum, r) => sum + r.invocations, 0) };
}

/** The store as a Lambda sees it that dies each time just before it would send: every claim fails. */
function dying(store: DeliveryStore): DeliveryStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'claimDelivery') return async () => Promise.reject(new Error('Runtime.ExitError'));
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('notifyIncident in a storm', () => {
  it.each([20, 40])(
    'lists each of %i incidents of one window in exactly one message per channel',
    async (n) => {
      const run = await storm(n, 2_000);
      const deliveries = deliveriesOf(h.slack, run.sns.published);
      const row = tally('notify', `storm of ${n}`, run.ids, deliveries);
      expect(verdict(row)).toBe('once');
      const rollups = h.slack.requests.filter((r) => JSON.stringify(r.body).includes('OOM storm'));
      // The first five on their own; the rest in a few rollups, none longer than a full list.
      expect(h.slack.requests).toHaveLength(5 + rollups.length);
      expect(rollups.length).toBeLessThanOrEqual(Math.ceil((n - 5) / ROLLUP_LISTS_AT_MOST) + 3);
      for (const request of h.slack.requests) expect(validateSlackMessage(request.body)).toEqual([]);
      for (const published of run.sns.published) expect(published.subject.length).toBeLessThan(100);
      console.log(
        `storm of ${n}: ${h.slack.requests.length} Slack posts (${rollups.length} rollups), ${run.sns.published.length} SNS messages, ${run.invocations} notify invocations`,
      );
    },
  );

  it('links each incident a rollup lists to its own execution', async () => {
    await storm(8, 1_000);
    const rollup = h.slack.requests.find((r) => JSON.stringify(r.body).includes('OOM storm'));
    const text = JSON.stringify(rollup?.body);
    for (const id of idsIn(rollup?.body))
      expect(text).toContain(`:execution:OomResponderResponse:${id}|${id}>`);
    expect(text).toContain('Incidents in this message');
  });

  it('names a critical incident on its own even past the threshold, and lists it in no rollup', async () => {
    const run = await storm(12, 1_000, 1, (i) => (i === 9 ? 'sshd' : '(sd-pam)'));
    const critical = run.ids[9] as string;
    const own = h.slack.requests.filter((r) => idsIn(r.body).includes(critical));
    expect(own).toHaveLength(1);
    expect(JSON.stringify(own[0]?.body)).not.toContain('OOM storm');
    expect(verdict(tally('notify', 'critical', run.ids, deliveriesOf(h.slack, run.sns.published)))).toBe(
      'once',
    );
  });

  it('needs no retries where nothing would retry (the CLI): 30 incidents recorded, then notified once each', async () => {
    const requests = [];
    for (let i = 0; i < 30; i++)
      requests.push(await h.incident(T0 + i * 1000, `i-1${i.toString(16).padStart(16, '0')}`));
    for (const request of requests) await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);
    const ids = requests.map((r) => r.incident.id);
    const deliveries = deliveriesOf(
      h.slack,
      h.sns.published.map((n) => ({ message: n.message, format: 'text' })),
    );
    expect(verdict(tally('notify', 'replay of 30', ids, deliveries))).toBe('once');
    // Five of their own, then a rollup of 20 and a follow-up at once with the 5 left.
    expect(h.slack.requests).toHaveLength(5 + 2);
  });

  it('sends a rollup whose owner never could, from an incident it lists, once', async () => {
    // The 6th incident opens the storm's rollup and then fails on every attempt before sending anything.
    const run = await storm(12, 1_000, 1, undefined, 5);
    // Its own step may even end well: by its retry, an incident it lists has sent the rollup for it.
    expect(run.failed.filter((id) => id !== run.ids[5])).toEqual([]);
    const deliveries = deliveriesOf(h.slack, run.sns.published);
    expect(verdict(tally('notify', 'rollup owner dies', run.ids, deliveries))).toBe('once');
    const rollups = h.slack.requests.filter((r) => JSON.stringify(r.body).includes('OOM storm'));
    expect(idsIn(rollups[0]?.body)).toContain(run.ids[5]);
  });

  it('covers 1,000 instances × 10 kill lines: every incident in some message, the calls per incident counted', async () => {
    const started = Date.now();
    const run = await storm(1_000, 90, 10);
    const deliveries = deliveriesOf(h.slack, run.sns.published);
    const row = tally('notify', '1,000 instances × 10 lines', run.ids, deliveries);
    expect(verdict(row)).toBe('once');
    const total = [...run.calls.values()].reduce((a, b) => a + b, 0);
    console.log(formatMatrix('## notify storm: 1,000 instances × 10 lines', [row]));
    console.log(
      `store calls per incident: ${(total / 1_000).toFixed(2)} (${[...run.calls].map(([k, v]) => `${k} ${v}`).join(', ')}); ` +
        `Slack posts ${h.slack.requests.length}, SNS messages ${run.sns.published.length}, notify invocations ${run.invocations}, ${Date.now() - started} ms`,
    );
    expect(h.slack.requests.length).toBeLessThan(80);
  }, 120_000);
});
