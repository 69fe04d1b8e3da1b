import { describe, expect, it } from 'vitest';
import type { RelatedIncident } from '../../../../functions/core/incident/model';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import { notifyIncident, responseOutcome } from '../../../../functions/core/respond/notify-incident';
import { COLLECTED, CONFIG, MINUTE, payload, T0, useNotifyHarness } from './notify-harness';

const h = useNotifyHarness();
const WARNING_ID = 'pressure-20261125T175000-i-0a1b2c3d4e5f60789';

/** A pressure warning as the store lists it beside the instance's kills (GSI2, `kind: 'pressure'`). */
function warningAt(
  atMs: number,
  latestValue: number | null,
  metric = 'mem_available_percent',
): RelatedIncident {
  return {
    incidentId: WARNING_ID,
    observedAt: new Date(atMs).toISOString(),
    process: null,
    pid: null,
    killCount: 0,
    executionArn: null,
    warning: { metric, latestValue },
  };
}

describe('a kill that follows a memory-pressure warning', () => {
  it('says in What happened, on every channel, how long before the kill the warning went out', async () => {
    const request = await h.incident(T0);
    // The kill's own time as the log gave it: the span is counted from there.
    const killMs = Date.parse(request.incident.firstKill.time ?? request.incident.observedAt);
    const warnedMs = killMs - 38 * MINUTE;
    const warning = warningAt(warnedMs, 6);
    h.store.incidentsOn = async () => [warning];

    await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);

    const clock = new Date(warnedMs).toISOString().slice(11, 16);
    const line = `38 min before the kill: memory-pressure warning at ${clock} UTC, 6 % available`;
    expect(validateSlackMessage(h.slack.requests[0]?.body)).toEqual([]);
    expect(h.slackText()).toContain(`*Warned:* ${line}`);
    expect(h.sns.published[0]?.message).toContain(`Warned: ${line}`);
    // The earlier-incidents list names it as a warning, not as "a kill".
    expect(h.slackText()).toContain(`${WARNING_ID}: memory-pressure warning, 6 % available, 38 min before`);
    const outcome = {
      ...responseOutcome(payload(request, COLLECTED).state, request.incident, null, CONFIG),
      related: [warning],
    };
    expect(renderPlainText(outcome)).toContain(`Warned: ${line}`);
    expect(renderQNotification(outcome).content.description).toContain(`*Warned:* ${line}`);
  });

  it('names the latest warning before the kill, a swap alarm by its swap reading, and none after the kill', async () => {
    const request = await h.incident(T0);
    const killMs = Date.parse(request.incident.firstKill.time ?? request.incident.observedAt);
    const base = responseOutcome(payload(request, COLLECTED).state, request.incident, null, CONFIG);
    const older = { ...warningAt(killMs - 3 * 60 * MINUTE, 8), incidentId: `${WARNING_ID}-older` };
    const swap = warningAt(killMs - 12 * MINUTE, 82, 'swap_used_percent');
    const after = { ...warningAt(killMs + 5 * MINUTE, 4), incidentId: `${WARNING_ID}-after` };
    const text = renderPlainText({ ...base, related: [after, swap, older] });
    expect(text).toContain('Warned: 12 min before the kill: memory-pressure warning at');
    expect(text).toContain(', swap 82 % used');
    expect(text.match(/^Warned:/gm)).toHaveLength(1);
    // Without a warning before it, no such line.
    expect(renderPlainText({ ...base, related: [after] })).not.toContain('Warned:');
    expect(renderPlainText({ ...base, related: [] })).not.toContain('Warned:');
  });
});
