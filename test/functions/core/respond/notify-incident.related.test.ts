import { describe, expect, it } from 'vitest';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { notifyIncident } from '../../../../functions/core/respond/notify-incident';
import { COLLECTED, CONFIG, INSTANCE, MINUTE, payload, T0, useNotifyHarness } from './notify-harness';

const h = useNotifyHarness();
const HOUR = 60 * MINUTE;
const earlierExecution = (id: string) =>
  `arn:aws:states:us-east-1:123456789012:execution:OomResponderResponse:${id}`;

describe('a message links the earlier incidents of its instance', () => {
  it('lists each with its victim and how long before, linked to its execution; none of other instances', async () => {
    const long = await h.incident(T0 - 30 * HOUR);
    const earlier = await h.incident(T0 - 3 * HOUR);
    const elsewhere = await h.incident(T0 - HOUR, 'i-0fedcba9876543210');
    await h.store.markExecutionStarted(earlier.incident.id, earlierExecution(earlier.incident.id));
    const request = await h.incident(T0);

    await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);

    const slack = h.slackText();
    expect(validateSlackMessage(h.slack.requests[0]?.body)).toEqual([]);
    expect(slack).toContain('*Earlier incidents on this instance (24 h)*');
    expect(slack).toContain(
      `/executions/details/${earlierExecution(earlier.incident.id)}|${earlier.incident.id}>`,
    );
    const pid = earlier.incident.firstKill.pid;
    expect(slack).toContain(
      `: ${earlier.incident.firstKill.process} (pid ${pid}), 3 h before (15:28:15 UTC)`,
    );
    expect(slack).not.toContain(elsewhere.incident.id);
    // Older than a day: not this shift's business.
    expect(slack).not.toContain(long.incident.id);
    expect(h.sns.published[0]?.message).toContain(`${earlier.incident.id}: `);
  });

  it('still goes out, without the list, when the store cannot list them', async () => {
    await h.incident(T0 - HOUR);
    const request = await h.incident(T0);
    h.store.incidentsOn = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const result = await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);
    expect(result.slack.status).toBe('sent');
    expect(h.slackText()).not.toContain('Earlier incidents');
    expect(h.telemetry.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ incidentId: request.incident.id }),
      }),
    );
  });

  it('says nothing of them when the instance had none', async () => {
    const request = await h.incident(T0);
    await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);
    expect(h.slackText()).not.toContain('Earlier incidents');
    expect(INSTANCE).toBe(request.instanceKey);
  });
});
