import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryIncidentStore } from '../../../../functions/adapters/memory/incident-store';
import { workflowInputFor } from '../../../../functions/core/detect/detect-batch';
import type {
  MemoryMetricsReader,
  MemorySeries,
  MemorySeriesQuery,
} from '../../../../functions/core/metrics/memory-series';
import { parsePolicy } from '../../../../functions/core/policy/policy';
import {
  type AnalyzeIncidentConfig,
  analyzeIncident,
} from '../../../../functions/core/respond/analyze-incident';
import { readMemoryTimeline } from '../../../../functions/core/respond/memory-timeline-read';
import { responseOutcome } from '../../../../functions/core/respond/notify-incident';
import { realKill, recordRequest } from '../../../support/kills';
import { perMinuteSeries } from '../../../support/memory-hour';

const INSTANCE = 'i-0a1b2c3d4e5f60789';
/** When CloudWatch received the kill: the window is the hour to the end of its minute, 17:29 to 18:29. */
const OBSERVED = Date.parse('2026-11-25T18:28:15Z');
const MINUTE = 60_000;
const WINDOW_FROM = Date.parse('2026-11-25T17:29:00Z');
const NOW = new Date(OBSERVED + 4 * MINUTE);

function config(budgetMs?: number): AnalyzeIncidentConfig {
  return {
    policy: parsePolicy({}),
    documents: {},
    outputBucket: null,
    memoryTimeline: { thresholdPercent: 10, ...(budgetMs === undefined ? {} : { budgetMs }) },
  };
}

/** A reader that answers from the given values (one per minute from the window's start), recording what it was asked. */
class FakeReader implements MemoryMetricsReader {
  readonly queries: MemorySeriesQuery[] = [];
  readonly signals: AbortSignal[] = [];

  constructor(
    private readonly answer: (query: MemorySeriesQuery, signal?: AbortSignal) => Promise<MemorySeries[]>,
  ) {}

  read(query: MemorySeriesQuery, options: { signal?: AbortSignal } = {}): Promise<MemorySeries[]> {
    this.queries.push(query);
    if (options.signal) this.signals.push(options.signal);
    return this.answer(query, options.signal);
  }
}

const perMinute = (metric: MemorySeries['metric'], values: readonly number[]): MemorySeries =>
  perMinuteSeries(metric, INSTANCE, WINDOW_FROM, values);

let store: MemoryIncidentStore;
beforeEach(() => {
  store = new MemoryIncidentStore();
});

async function stateOf(options: { drill?: boolean } = {}) {
  const request = recordRequest(INSTANCE, [{ kill: realKill({ pid: 3000 }), observedAtMs: OBSERVED }]);
  if (options.drill) request.incident = { ...request.incident, drill: { id: 'drill-20261125t1828-0001' } };
  await store.recordKills(request);
  return workflowInputFor(request.incident);
}

describe('analyzeIncident reads the memory timeline', () => {
  it('asks for both metrics of the instance over the hour to the kill’s minute, and keeps them per minute', async () => {
    const available = Array.from({ length: 60 }, (_, i) => 40 - i * 0.6);
    const swap = Array.from({ length: 60 }, (_, i) => (i < 30 ? 0 : i - 30));
    const reader = new FakeReader(async (query) => [
      perMinute(query.metrics[0] ?? 'mem_available_percent', available),
      perMinute('swap_used_percent', swap),
    ]);
    const result = await analyzeIncident(await stateOf(), store, config(), NOW, { memoryMetrics: reader });
    expect(reader.queries).toEqual([
      {
        instanceId: INSTANCE,
        metrics: ['mem_available_percent', 'swap_used_percent'],
        from: new Date(WINDOW_FROM),
        to: new Date('2026-11-25T18:29:00Z'),
        periodSeconds: 60,
      },
    ]);
    expect(result.memoryTimeline.status).toBe('read');
    if (result.memoryTimeline.status !== 'read') return;
    const { window } = result.memoryTimeline;
    expect(window).toMatchObject({
      instanceId: INSTANCE,
      from: '2026-11-25T17:29:00.000Z',
      killAt: '2026-11-25T18:28:15.000Z',
      readAt: NOW.toISOString(),
      thresholdPercent: 10,
    });
    expect(window.available).toEqual(available.map((v) => Math.round(v * 10) / 10));
    expect(window.swapUsed).toEqual(swap);
    // The findings read the same hour: a kill at a cgroup's limit, and the host's last point (40 - 59 x 0.6).
    const cgroup = result.analysis.findings.find((finding) => finding.family === 'cgroup-limit');
    expect(cgroup?.evidence).toContainEqual({
      kind: 'context',
      text: "the host itself was short too: 4.6% available at 18:28 UTC, the agent's last point before the kill",
    });
  });

  it('says there are no metrics when CloudWatch has none for the instance', async () => {
    const reader = new FakeReader(async () => [
      perMinute('mem_available_percent', []),
      perMinute('swap_used_percent', []),
    ]);
    const result = await analyzeIncident(await stateOf(), store, config(), NOW, { memoryMetrics: reader });
    expect(result.memoryTimeline).toEqual({ status: 'no-metrics', instanceId: INSTANCE });
  });

  it('says it could not read them, by the error’s name, and the analysis goes on', async () => {
    const denied = Object.assign(new Error('not authorized to perform: cloudwatch:GetMetricData'), {
      name: 'AccessDenied',
    });
    const reader = new FakeReader(async () => {
      throw denied;
    });
    const result = await analyzeIncident(await stateOf(), store, config(), NOW, { memoryMetrics: reader });
    expect(result.memoryTimeline).toEqual({
      status: 'unreadable',
      instanceId: INSTANCE,
      error: 'AccessDenied',
    });
    expect(result.analysis.findings.length).toBeGreaterThan(0);
  });

  it('aborts a read slower than its budget, even when the reader ignores the signal', async () => {
    let abortedWith: unknown;
    const reader = new FakeReader(
      (_, signal) =>
        new Promise((resolve) => {
          signal?.addEventListener('abort', () => {
            abortedWith = signal.reason;
          });
          // Never honours the signal: answers after 5 s.
          setTimeout(() => resolve([]), 5000);
        }),
    );
    const started = Date.now();
    const result = await analyzeIncident(await stateOf(), store, config(50), NOW, { memoryMetrics: reader });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.memoryTimeline).toEqual({
      status: 'unreadable',
      instanceId: INSTANCE,
      error: 'TimeoutError',
    });
    expect(reader.signals[0]?.aborted).toBe(true);
    expect((abortedWith as Error).name).toBe('TimeoutError');
  });

  it('reads nothing for a drill: its kill is synthetic', async () => {
    const reader = new FakeReader(async () => [perMinute('mem_available_percent', [50])]);
    const drill = await analyzeIncident(await stateOf({ drill: true }), store, config(), NOW, {
      memoryMetrics: reader,
    });
    expect(drill.memoryTimeline).toEqual({ status: 'not-read', reason: 'drill' });
    expect(reader.queries).toEqual([]);
  });

  it('reads nothing without the deployment’s metrics or without a reader (the CLI’s replay)', async () => {
    const reader = new FakeReader(async () => [perMinute('mem_available_percent', [50])]);
    const state = await stateOf();
    const off = await analyzeIncident(state, store, { ...config(), memoryTimeline: undefined }, NOW, {
      memoryMetrics: reader,
    });
    expect(off.memoryTimeline).toEqual({ status: 'not-read', reason: 'not-configured' });
    const noReader = await analyzeIncident(state, store, config(), NOW);
    expect(noReader.memoryTimeline).toEqual({ status: 'not-read', reason: 'not-configured' });
    expect(reader.queries).toEqual([]);
  });

  it('reads nothing for a kill on an instance it could not resolve', async () => {
    const reader = new FakeReader(async () => [perMinute('mem_available_percent', [50])]);
    const outcome = await readMemoryTimeline({
      reader,
      config: config().memoryTimeline,
      instanceId: null,
      killAt: new Date(OBSERVED),
      drill: false,
      now: NOW,
    });
    expect(outcome).toEqual({ status: 'not-read', reason: 'no-instance' });
    expect(reader.queries).toEqual([]);
  });
});

describe('the notifier takes the timeline from the analysis', () => {
  const context = { outputBucket: null, partition: 'aws', region: 'us-east-1' };

  it('keeps a valid timeline, and drops one that is not (an older or malformed state)', async () => {
    const reader = new FakeReader(async () => [perMinute('mem_available_percent', [30, 29, 28])]);
    const state = await stateOf();
    const analyzed = await analyzeIncident(state, store, config(), NOW, { memoryMetrics: reader });
    const incident = await store.getIncident(state.incidentId);
    if (!incident) throw new Error('no incident');
    // Through JSON, as Step Functions carries it.
    const carried = JSON.parse(JSON.stringify({ ...state, analysis: analyzed }));
    const outcome = responseOutcome(carried, incident, null, context);
    expect(outcome.memoryTimeline).toEqual(analyzed.memoryTimeline);
    expect(outcome.memoryTimeline?.status).toBe('read');
    const malformed = {
      ...carried,
      analysis: { ...analyzed, memoryTimeline: { status: 'read', window: { from: 3 } } },
    };
    expect(responseOutcome(malformed, incident, null, context).memoryTimeline).toBeUndefined();
    const before = { ...carried, analysis: { ...analyzed, memoryTimeline: undefined } };
    expect(responseOutcome(before, incident, null, context)).not.toHaveProperty('memoryTimeline');
  });
});
