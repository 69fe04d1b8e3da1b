import { describe, expect, it } from 'vitest';
import { drillInstanceKey, drillStormWindow } from '../../../../functions/core/drill/drill-marks';
import { notifyIncident } from '../../../../functions/core/respond/notify-incident';
import { realKill, recordRequest } from '../../../support/kills';
import { CONFIG, INSTANCE, payload, T0, useNotifyHarness } from './notify-harness';

const h = useNotifyHarness();
const DRILL = { id: 'drill-20261204t2015-7f3a' };

/** A drill on INSTANCE at `atMs`, filed as the detector files one: its own instance key and storm window. */
async function drillAt(atMs: number) {
  const request = recordRequest(INSTANCE, [
    { kill: realKill({ pid: 4242, kernelTime: 99 }), observedAtMs: atMs },
  ]);
  request.incident = { ...request.incident, drill: DRILL };
  request.instanceKey = drillInstanceKey(INSTANCE, DRILL);
  request.stormWindow = drillStormWindow(DRILL);
  await h.store.recordKills(request);
  return request;
}

describe('notifying a drill', () => {
  it('gets a message of its own in a storm, labelled [DRILL], and the real storm does not count it', async () => {
    // More real incidents than the threshold in one window, on other instances, then a drill in the same minute.
    const real = [];
    for (let i = 0; i <= CONFIG.stormThreshold; i++)
      real.push(await h.incident(T0 + i * 1_000, `i-0${i.toString(16).padStart(16, '0')}`));
    const drill = await drillAt(T0 + 10_000);
    const record = await notifyIncident(payload(drill), h.ports, CONFIG);
    expect(record.slack.status).not.toBe('rolled-up');
    expect(record.coveredBy).toBeUndefined();
    const [sns] = h.sns.published;
    expect(sns?.subject.startsWith('[DRILL] ')).toBe(true);
    expect(sns?.message).toContain(`oom-responder drill ${DRILL.id}`);
    expect(h.slackText()).toContain('[DRILL]');

    // The last real incident is past the threshold of its window: rolled up, and the rollup lists no drill.
    const lastReal = real[real.length - 1];
    if (!lastReal) throw new Error('no real incident');
    const window = await h.store.stormWindow(lastReal.stormWindow);
    expect(window.incidents).toBe(CONFIG.stormThreshold + 1);
    expect(window.incidentIds).not.toContain(drill.incident.id);
  });

  it('lists no real incident of the instance as related, and is listed by none', async () => {
    const real = await h.incident(T0);
    const drill = await drillAt(T0 + 60_000);
    expect((await h.store.incidentsOn(INSTANCE, 0)).map((i) => i.incidentId)).toEqual([real.incident.id]);
    await notifyIncident(payload(drill), h.ports, CONFIG);
    expect(h.slackText()).not.toContain(real.incident.id);
  });
});
