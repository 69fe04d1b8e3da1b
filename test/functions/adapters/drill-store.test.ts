import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import { MemoryIncidentStore } from '../../../functions/adapters/memory/incident-store';
import type { IncidentStore } from '../../../functions/core/detect/ports';
import { drillInstanceKey, drillStormWindow } from '../../../functions/core/drill/drill-marks';
import type { StormWindowStats } from '../../../functions/core/incident/storm-stats';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { realKill, recordRequest } from '../../support/kills';

type Store = IncidentStore & { stormWindow(window: string): Promise<StormWindowStats> };

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

const INSTANCE = 'i-0a1b2c3d4e5f60789';
const T0 = Date.parse('2026-12-04T20:15:00Z');
const DRILL = { id: 'drill-20261204t2015-7f3a' };

/**
 * A drill filed as the detector files it (its own instance key and storm window), beside a real incident of the
 * same process on the same instance a minute earlier: each store keeps them apart, in memory as in DynamoDB.
 */
describe.each([
  ['in memory', async (): Promise<Store> => new MemoryIncidentStore()],
  [
    'on DynamoDB (dynalite)',
    async (): Promise<Store> =>
      new DynamoIncidentStore({ client: dynamo.client, tableName: await dynamo.createTable() }),
  ],
])('a drill in the incident store %s', (_, makeStore) => {
  it('opens its own incident inside the real one’s cooldown and stays out of its window, history and list', async () => {
    const store = await makeStore();
    const real = recordRequest(INSTANCE, [
      { kill: realKill({ pid: 3000, kernelTime: 100 }), observedAtMs: T0 },
    ]);
    const drill = recordRequest(INSTANCE, [
      { kill: realKill({ pid: 4242, kernelTime: 160 }), observedAtMs: T0 + 60_000 },
    ]);
    drill.incident = { ...drill.incident, drill: DRILL };
    drill.instanceKey = drillInstanceKey(INSTANCE, DRILL);
    drill.stormWindow = drillStormWindow(DRILL);
    expect((await store.recordKills(real)).opened).toBe(true);
    const recorded = await store.recordKills(drill);
    expect(recorded.opened).toBe(true);
    expect(recorded.incidentId).toBe(drill.incident.id);
    expect((await store.getIncident(drill.incident.id))?.drill).toEqual(DRILL);

    const window = await store.stormWindow(real.stormWindow);
    expect(window.incidentIds).toEqual([real.incident.id]);
    expect((await store.stormWindow(drill.stormWindow)).incidentIds).toEqual([drill.incident.id]);
    const process = real.incident.firstKill.process ?? '';
    expect((await store.history(INSTANCE, process, 0)).map((k) => k.incidentId)).toEqual([real.incident.id]);
    expect((await store.incidentsOn(INSTANCE, 0)).map((i) => i.incidentId)).toEqual([real.incident.id]);
  });
});
