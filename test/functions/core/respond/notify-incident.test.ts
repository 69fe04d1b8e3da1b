import { describe, expect, it } from 'vitest';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { IncidentNotFoundError } from '../../../../functions/core/respond/analyze-incident';
import { NotificationIncompleteError } from '../../../../functions/core/respond/notify-errors';
import { notifyIncident } from '../../../../functions/core/respond/notify-incident';
import { diagnostics } from '../../../support/diagnostics';
import { realKill, recordRequest } from '../../../support/kills';
import { WEBHOOK_PATH } from '../../../support/slack-server';
import {
  COLLECTED,
  CONFIG,
  EXECUTION,
  INSTANCE,
  NOTIFIED_AT,
  payload,
  stateOf,
  T0,
  useNotifyHarness,
} from './notify-harness';

const h = useNotifyHarness();

/** All the text a person can read in what was posted and published. */
function everything(): string {
  return JSON.stringify({ slack: h.slack.requests.map((r) => r.body), sns: h.sns.published });
}

describe('notifyIncident', () => {
  it('posts one valid Slack message and one SNS message, and records both on the incident', async () => {
    const request = await h.incident();
    const result = await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);

    expect(h.slack.requests).toHaveLength(1);
    expect(h.slack.delivered()).toBe(1);
    expect(h.slack.requests[0]?.path).toBe(WEBHOOK_PATH);
    expect(validateSlackMessage(h.slack.requests[0]?.body)).toEqual([]);
    expect(h.slackText()).toContain('(sd-pam)');
    expect(h.sns.published).toHaveLength(1);
    expect(h.sns.published[0]?.messageAttributes.format).toEqual({ DataType: 'String', StringValue: 'text' });
    expect(h.sns.published[0]?.messageAttributes.instance?.StringValue).toBe(INSTANCE);
    expect(h.sns.published[0]?.subject).toContain('(sd-pam)');

    const record = {
      at: NOTIFIED_AT.toISOString(),
      slack: { status: 'sent', detail: null },
      sns: { status: 'sent', messageId: 'm-1', detail: null },
    };
    expect(result).toEqual({ incidentId: request.incident.id, ...record });
    expect(h.store.notifications.get(request.incident.id)).toEqual(record);
    expect((await h.store.getIncident(request.incident.id))?.status).toBe('notified');
    expect(h.telemetry.lines).toContainEqual({
      level: 'info',
      message: 'notified',
      fields: expect.objectContaining({ incidentId: request.incident.id, slack: 'sent', sns: 'sent' }),
    });
  });

  it('tells no one twice when the workflow retries a notify step that already went out', async () => {
    const request = await h.incident();
    const first = await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);
    const retried = await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);
    expect(retried).toEqual(first);
    expect(h.slack.requests).toHaveLength(1);
    expect(h.sns.published).toHaveLength(1);
    expect(h.telemetry.lines.map((line) => line.message)).toContain('already notified');
  });

  it('links the execution it ran in', async () => {
    const request = await h.incident();
    await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);
    expect(h.slackText()).toContain('states/home');
    expect(h.slackText()).toContain(`/executions/details/${EXECUTION}|Execution>`);
    expect(h.sns.published[0]?.message).toContain('states/home');
  });

  it('accepts the bare state too (the local replay), without an execution link', async () => {
    const request = await h.incident();
    const result = await notifyIncident(stateOf(request, COLLECTED), h.ports, CONFIG);
    expect(result.slack.status).toBe('sent');
    expect(h.slackText()).not.toContain('states/home');
  });

  it('publishes a second SNS message in the Q Developer format when asked', async () => {
    const request = await h.incident();
    await notifyIncident(payload(request, COLLECTED), h.ports, { ...CONFIG, qDeveloperFormat: true });
    expect(h.sns.published.map((n) => n.messageAttributes.format?.StringValue)).toEqual([
      'text',
      'q-developer',
    ]);
    const q = JSON.parse(h.sns.published[1]?.message ?? '{}');
    expect(q).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
    expect(q.content.title).toContain('(sd-pam)');
    expect(h.slack.requests).toHaveLength(1);
  });

  it('still publishes to SNS when Slack refuses the message, and records and counts the Slack failure', async () => {
    h.slack.reply({ status: 400, body: 'invalid_blocks' });
    const request = await h.incident();
    const result = await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);

    expect(h.slack.requests).toHaveLength(1);
    expect(h.sns.published).toHaveLength(1);
    expect(result.slack).toEqual({ status: 'failed', detail: 'Slack answered 400 invalid_blocks' });
    expect(result.sns).toEqual({ status: 'sent', messageId: 'm-1', detail: null });
    expect(h.store.notifications.get(request.incident.id)?.slack).toEqual({
      status: 'failed',
      detail: 'Slack answered 400 invalid_blocks',
    });
    expect(h.telemetry.counts.get('SlackDeliveryFailures')).toBe(1);
    expect(h.telemetry.lines).toContainEqual({
      level: 'warn',
      message: 'Slack did not take the message; SNS did',
      fields: { incidentId: request.incident.id, detail: 'Slack answered 400 invalid_blocks' },
    });
    expect(JSON.stringify(h.telemetry.lines)).not.toContain(WEBHOOK_PATH);
  });

  it('still posts to Slack when SNS fails, then throws a retryable error and the retry publishes only SNS', async () => {
    h.sns.failure = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const request = await h.incident();
    await expect(notifyIncident(payload(request, COLLECTED), h.ports, CONFIG)).rejects.toThrow(
      NotificationIncompleteError,
    );
    expect(h.slack.delivered()).toBe(1);
    expect(h.store.notifications.size).toBe(0);
    const stored = await h.store.getIncident(request.incident.id);
    expect(stored?.status).toBe('notified');
    expect(stored?.deliveries?.slack?.status).toBe('sent');
    expect(stored?.deliveries?.sns).toMatchObject({ status: 'pending', attempts: 1 });
    expect(stored?.deliveries?.sns?.detail).toContain('ThrottlingException');

    h.sns.failure = null;
    const retried = await notifyIncident(payload(request, COLLECTED), h.ports, CONFIG);
    expect(retried.sns).toEqual({ status: 'sent', messageId: 'm-1', detail: null });
    expect(retried.slack).toEqual({ status: 'sent', detail: null });
    expect(h.slack.requests).toHaveLength(1);
    expect(h.sns.published).toHaveLength(1);
  });

  it('records Slack as skipped when no webhook is configured, and still publishes to SNS', async () => {
    const request = await h.incident();
    const result = await notifyIncident(payload(request, COLLECTED), { ...h.ports, slack: null }, CONFIG);
    expect(result.slack).toEqual({ status: 'skipped', detail: 'no Slack webhook is configured' });
    expect(result.sns.status).toBe('sent');
    expect(h.slack.requests).toHaveLength(0);
  });

  it('throws IncidentNotFoundError for an incident the h.store does not hold', async () => {
    const request = recordRequest(INSTANCE, [{ kill: realKill(), observedAtMs: T0 }]);
    await expect(notifyIncident(payload(request), h.ports, CONFIG)).rejects.toThrow(IncidentNotFoundError);
    expect(h.sns.published).toHaveLength(0);
  });

  it('never shows a secret from a command line, on any channel or in its logs', async () => {
    const request = await h.incident();
    const summary = diagnostics({
      topProcesses: [
        {
          pid: 4242,
          rssKb: 3_512_320,
          oomScore: 702,
          oomScoreAdj: 0,
          comm: 'java',
          cmdline: '/usr/bin/java -Xmx6g -jar /opt/orders/orders.jar --db-user=orders --password=hunter2',
        },
      ],
    });
    const analysis = await h.analyzed(request);
    const withSecret = {
      ...analysis,
      diagnostics: { ...analysis.diagnostics, summary },
    };
    await notifyIncident(payload(request, { ...COLLECTED, analysis: withSecret }), h.ports, {
      ...CONFIG,
      qDeveloperFormat: true,
    });
    expect(h.slack.requests).toHaveLength(1);
    expect(h.sns.published).toHaveLength(2);
    // The process is shown; its password is not.
    expect(everything()).toContain('orders.jar');
    expect(everything()).not.toContain('hunter2');
    expect(JSON.stringify(h.telemetry.lines)).not.toContain('hunter2');
    expect(JSON.stringify(h.store.notifications.get(request.incident.id))).not.toContain('hunter2');
  });
});
