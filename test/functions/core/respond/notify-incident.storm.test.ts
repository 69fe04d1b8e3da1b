import { describe, expect, it } from 'vitest';
import type { RecordKillsRequest } from '../../../../functions/core/detect/ports';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { notifyIncident } from '../../../../functions/core/respond/notify-incident';
import { COLLECTED, CONFIG, payload, T0, useNotifyHarness } from './notify-harness';

const h = useNotifyHarness();

describe('notifyIncident in a storm', () => {
  const storm = { ...CONFIG, stormThreshold: 2 };

  /** Five incidents on five instances, a second apart, all in one 5-minute window. */
  async function fiveIncidents(): Promise<RecordKillsRequest[]> {
    const requests: RecordKillsRequest[] = [];
    for (let i = 0; i < 5; i++)
      requests.push(await h.incident(T0 + i * 1000, `i-0${String(i + 1).repeat(16)}`));
    expect(new Set(requests.map((r) => r.stormWindow)).size).toBe(1);
    return requests;
  }

  it('sends the first incidents their own messages, one rollup for the next, then nothing more', async () => {
    const requests = await fiveIncidents();
    const results = [];
    for (const request of requests)
      results.push(await notifyIncident(payload(request, COLLECTED), h.ports, storm));

    expect(h.slack.requests).toHaveLength(3);
    expect(h.sns.published).toHaveLength(3);
    for (const request of h.slack.requests) expect(validateSlackMessage(request.body)).toEqual([]);
    expect(h.slackText(0)).toContain(requests[0]?.kills[0]?.kill.pid?.toString());
    expect(h.slackText(1)).toContain(requests[1]?.kills[0]?.kill.pid?.toString());
    expect(h.slackText(2)).toContain('OOM storm');
    expect(h.slackText(2)).toContain('5 incidents');
    expect(h.sns.published[2]?.subject).toContain('OOM storm');

    expect(results.map((r) => [r.slack.status, r.sns.status])).toEqual([
      ['sent', 'sent'],
      ['sent', 'sent'],
      ['sent', 'sent'],
      ['rolled-up', 'rolled-up'],
      ['rolled-up', 'rolled-up'],
    ]);
    expect(results[2]?.slack.detail).toBe('storm rollup');
    expect(results[3]).toMatchObject({
      slack: { detail: 'rolled up: incident 4 of a storm of 5 in this window' },
      sns: { messageId: null, detail: 'rolled up: incident 4 of a storm of 5 in this window' },
    });
    for (const request of requests.slice(3)) {
      expect(h.store.notifications.get(request.incident.id)?.slack.status).toBe('rolled-up');
      expect((await h.store.getIncident(request.incident.id))?.status).toBe('notified');
    }
  });

  it('decides by each incident’s place in the window, not by the order the notifications run', async () => {
    const requests = await fiveIncidents();
    const [first, second, third, fourth, fifth] = requests;
    if (!first || !second || !third || !fourth || !fifth) throw new Error('five incidents');
    const order = [fifth, first, fourth, third, second];
    const results = new Map<string, string>();
    for (const request of order) {
      const result = await notifyIncident(payload(request, COLLECTED), h.ports, storm);
      results.set(request.incident.id, result.slack.status);
    }
    expect(requests.map((r) => results.get(r.incident.id))).toEqual([
      'sent',
      'sent',
      'sent',
      'rolled-up',
      'rolled-up',
    ]);
    expect(h.slack.requests.filter((r) => JSON.stringify(r.body).includes('OOM storm'))).toHaveLength(1);
  });

  it('posts the rollup again after 25 more incidents joined it', async () => {
    for (let i = 0; i < 28; i++) await h.incident(T0 + i * 1000, `i-0${i.toString(16).padStart(16, '0')}`);
    const window = (await h.store.stormWindow(new Date(Math.floor(T0 / 300_000) * 300_000).toISOString()))
      .incidentIds;
    expect(window).toHaveLength(28);
    const rollups: number[] = [];
    for (const [i, id] of window.entries()) {
      const stored = await h.store.getIncident(id);
      if (!stored) throw new Error(id);
      const before = h.slack.requests.length;
      await notifyIncident(
        {
          state: {
            incidentId: id,
            instanceId: stored.instance.instanceId,
            killTime: '',
            pid: '',
            process: '',
            unit: '',
            memcgPath: '',
          },
        },
        h.ports,
        { ...CONFIG, stormThreshold: 1 },
      );
      if (h.slack.requests.length > before && h.slackText(before).includes('OOM storm')) rollups.push(i + 1);
    }
    // The 2nd opens the rollup; the 27th is the 25th to join it.
    expect(rollups).toEqual([2, 27]);
    expect(h.slack.requests).toHaveLength(3);
  });
});
