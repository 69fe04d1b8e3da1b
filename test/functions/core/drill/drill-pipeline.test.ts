import { beforeEach, describe, expect, it } from 'vitest';
import { drillIncidentKey } from '../../../../cli/drill/run-drill';
import { MemoryIncidentStore } from '../../../../functions/adapters/memory/incident-store';
import type { SubscriptionBatch } from '../../../../functions/core/cloudwatch/subscription-payload';
import { DEFAULT_DETECT_CONFIG } from '../../../../functions/core/detect/config';
import { type DetectPorts, detectBatch } from '../../../../functions/core/detect/detect-batch';
import type { RecordKillsRequest, WorkflowInput } from '../../../../functions/core/detect/ports';
import { DRILL_RETENTION_MS } from '../../../../functions/core/drill/drill-marks';
import { DRILL_PROCESS, drillReportLines } from '../../../../functions/core/drill/drill-report';
import { stormWindowOf } from '../../../../functions/core/incident/storm-stats';
import { WorkflowInputSchema } from '../../../../functions/core/workflow/state';
import { resolvedInstance } from '../../../support/kills';
import { batchOf, recordingTelemetry, recordingWorkflow, reportLines } from '../../../support/subscription';

/**
 * A drill through the detector: the synthetic report `oom-responder drill` writes, and a real kill of the same
 * instance (the captured rsyslog report of the corpus) around it. The drill must be marked on the incident and the
 * workflow input, and kept out of everything the real incidents share: cooldown groups, storm windows, history.
 */
const INSTANCE = 'i-0a1b2c3d4e5f60789';
const DRILL_ID = 'drill-20261204t2015-7f3a';
const T0 = Date.parse('2026-12-04T20:15:00Z');

let store: MemoryIncidentStore;
let requests: RecordKillsRequest[];
let started: WorkflowInput[];
let streamEvents: { timestamp: number; message: string }[];
let ports: DetectPorts;
let nowMs: number;

beforeEach(() => {
  store = new MemoryIncidentStore();
  requests = [];
  const workflow = recordingWorkflow();
  started = workflow.started;
  streamEvents = [];
  nowMs = T0 + 2_000;
  const recordKills = store.recordKills.bind(store);
  store.recordKills = (request) => {
    requests.push(request);
    return recordKills(request);
  };
  ports = {
    // The stream holds what the batches delivered: each report is read back whole.
    logs: {
      readWindow: async ({ startMs, endMs }) =>
        streamEvents.filter((e) => e.timestamp >= startMs && e.timestamp < endMs),
    },
    instances: { resolve: async () => resolvedInstance(INSTANCE) },
    store,
    workflow,
    telemetry: recordingTelemetry(),
    now: () => new Date(nowMs),
  };
});

function deliver(lines: string[], startMs: number): SubscriptionBatch {
  const batch = batchOf(lines, { logStream: INSTANCE, startMs });
  for (const event of batch.logEvents)
    streamEvents.push({ timestamp: event.timestamp, message: event.message });
  return batch;
}

const drillLines = () => drillReportLines({ drillId: DRILL_ID });

describe('the detector with a drill', () => {
  it('marks the incident and the workflow input as a drill, labelled [DRILL] for notify', async () => {
    const result = await detectBatch(deliver(drillLines(), T0), ports);
    expect(result.incidents).toHaveLength(1);
    const incident = await store.getIncident(result.incidents[0]?.incidentId ?? '');
    expect(incident?.drill).toEqual({ id: DRILL_ID });
    expect(incident?.firstKill.process).toBe(DRILL_PROCESS);
    expect(started).toHaveLength(1);
    const input = started[0];
    expect(input?.drill).toEqual({ id: DRILL_ID });
    expect(input?.provenance?.kind).toBe('drill');
    expect(input?.provenance?.detail).toContain(`oom-responder drill ${DRILL_ID}`);
    expect(input?.provenance?.detail).toContain('nothing on the host was changed');
    // The state machine's schema keeps both (the analyze and notify Lambdas parse their events with it).
    expect(WorkflowInputSchema.parse(input)).toMatchObject({
      drill: { id: DRILL_ID },
      provenance: { kind: 'drill' },
    });
  });

  it('files a drill under its own keys: a day to live, a storm window of its own, not the instance’s key', async () => {
    await detectBatch(deliver(drillLines(), T0), ports);
    const [request] = requests;
    expect(request?.expiresAt).toBe(Math.floor((nowMs + DRILL_RETENTION_MS) / 1000));
    expect(DRILL_RETENTION_MS).toBeLessThan(DEFAULT_DETECT_CONFIG.retentionMs);
    expect(request?.stormWindow).toBe(`drill:${DRILL_ID}`);
    expect(request?.instanceKey).not.toBe(INSTANCE);
    expect(request?.instanceKey).toContain(INSTANCE);
  });

  it('leaves a live kill exactly as before: the instance key, the retention, the storm window, no drill keys', async () => {
    const lines = reportLines();
    await detectBatch(deliver(lines, T0), ports);
    const [request] = requests;
    expect(request?.instanceKey).toBe(INSTANCE);
    expect(request?.expiresAt).toBe(Math.floor((nowMs + DEFAULT_DETECT_CONFIG.retentionMs) / 1000));
    expect(request?.stormWindow).toBe(
      stormWindowOf(T0 + lines.length - 1, DEFAULT_DETECT_CONFIG.stormWindowMs),
    );
    expect(started[0]).not.toHaveProperty('drill');
    expect(started[0]).not.toHaveProperty('provenance');
  });

  it('never joins a real incident, nor lets a real kill join it, inside the cooldown, in one batch or apart', async () => {
    // A drill, then a real kill a minute later (one cooldown), then both in one batch.
    await detectBatch(deliver(drillLines(), T0), ports);
    await detectBatch(deliver(reportLines(), T0 + 60_000), ports);
    expect(started.map((input) => Boolean(input.drill))).toEqual([true, false]);
    const [drillIncident, realIncident] = requests.map((r) => r.incident.id);
    expect(drillIncident).not.toBe(realIncident);

    const both = await detectBatch(
      deliver(
        [...reportLines('ip-10-0-1-5'), ...drillReportLines({ drillId: 'drill-second-0001' })],
        T0 + 120_000,
      ),
      ports,
    );
    // The real kill joins the real incident; the second drill opens one of its own.
    const opened = both.incidents.filter((i) => i.opened);
    expect(opened).toHaveLength(1);
    const openedIncident = await store.getIncident(opened[0]?.incidentId ?? '');
    expect(openedIncident?.drill).toEqual({ id: 'drill-second-0001' });
    const joined = both.incidents.find((i) => !i.opened);
    expect(joined?.incidentId).toBe(realIncident);
  });

  it('counts no drill in the real storm window, and records no drill kill in the instance’s history', async () => {
    await detectBatch(deliver(reportLines(), T0), ports);
    await detectBatch(deliver(drillLines(), T0 + 1_000), ports);
    const realWindow = requests[0]?.stormWindow ?? '';
    const window = await store.stormWindow(realWindow);
    expect(window.incidents).toBe(1);
    expect(window.incidentIds).toEqual([requests[0]?.incident.id]);
    expect(Object.keys(window.byProcess)).not.toContain(DRILL_PROCESS);
    expect(await store.history(INSTANCE, DRILL_PROCESS, 0)).toEqual([]);
    expect((await store.incidentsOn(INSTANCE, 0)).map((i) => i.incidentId)).toEqual([
      requests[0]?.incident.id,
    ]);
  });
});

describe('oom-responder drill follows the incident where the detector filed it', () => {
  it('queries the key the detector recorded the drill under', async () => {
    const result = await detectBatch(deliver(drillLines(), T0), ports);
    expect(result.incidents).toHaveLength(1);
    const key = drillIncidentKey(INSTANCE, INSTANCE, DRILL_ID);
    expect(requests.map((request) => request.instanceKey)).toEqual([key]);
    const listed = await store.incidentsOn(key, T0 - 60_000);
    expect(listed.map((incident) => incident.incidentId)).toEqual([result.incidents[0]?.incidentId]);
  });
});
