import { tagged } from '../incident/provenance';
import type { PressureOutcome } from '../pressure/outcome';
import { link } from './mrkdwn';
import { describePressure } from './pressure-view';
import { fitQ, Q_LIMITS, type QCustomNotification } from './q-notification';
import { SEVERITY_EMOJI } from './slack-blocks';
import { stepMrkdwn } from './slack-sections';
import { fitLines, oneLine } from './text-fit';
import { qText } from './untrusted';

/**
 * The warning as an Amazon Q Developer custom notification (the same schema as a kill's, `eventType`
 * `OomPressure`), for the chat channel subscribed to the topic. Host text goes through `qText`.
 */
export function renderPressureQ(outcome: PressureOutcome): QCustomNotification {
  const view = describePressure(outcome);
  const description = [
    ...view.notices.map((notice) => `:warning: ${qText(notice)}`),
    `*What was measured*\n${view.measured.map((f) => `• *${qText(f.label)}:* ${qText(f.value)}`).join('\n')}`,
    ...(view.top.length > 0
      ? [`*Largest processes*\n${view.top.map((l) => `• ${qText(l)}`).join('\n')}`]
      : []),
    `*What the pipeline did:* ${view.done.map(qText).join('; ')}`,
    ...(view.links.length > 0 ? [view.links.map((item) => link(item.url, item.label)).join(' · ')] : []),
  ];
  return {
    version: '1.0',
    source: 'custom',
    id: view.incidentId,
    content: {
      textType: 'client-markdown',
      title: fitQ(`${SEVERITY_EMOJI.warning} ${tagged(view.provenance, view.title)}`, Q_LIMITS.title),
      description: fitLines(description, Q_LIMITS.description, 'more lines'),
      nextSteps: view.nextSteps.map((step) =>
        stepMrkdwn(step, '', step.code ? Q_LIMITS.stepWithCode : Q_LIMITS.step),
      ),
      keywords: ['oom-pressure', 'warning', view.process, outcome.warning.instanceId, view.confirmation]
        .filter((word): word is string => typeof word === 'string' && word.length > 0)
        .map((word) => fitQ(oneLine(word), 60)),
    },
    metadata: {
      threadId: view.incidentId,
      summary: fitQ(tagged(view.provenance, view.title), Q_LIMITS.summary),
      eventType: 'OomPressure',
      relatedResources: [outcome.warning.instanceId, outcome.warning.alarmArn, outcome.context.executionArn]
        .filter((id): id is string => typeof id === 'string' && id.length > 0)
        .map(oneLine),
      additionalContext: {
        incidentId: view.incidentId,
        severity: view.severity,
        host: fitQ(view.host, Q_LIMITS.context),
        alarm: fitQ(outcome.warning.alarmName, Q_LIMITS.context),
        confirmed: view.confirmation,
        diagnostics: outcome.diagnostics.status,
        ...(view.provenance ? { provenance: view.provenance.kind } : {}),
      },
    },
  };
}
