import type { ResponseOutcome } from '../incident/outcome';
import { tagged } from '../incident/provenance';
import { fitEscaped, link } from './mrkdwn';
import { ACTION_NAMES, FILLED_BY_LABEL, STATUS_WORDS } from './response-facts';
import { SEVERITY_EMOJI } from './slack-blocks';
import { stepMrkdwn } from './slack-sections';
import { fitLines, oneLine } from './text-fit';
import { qText } from './untrusted';
import { describeOutcome, type OutcomeView, safeOutcome } from './view';

/**
 * The Amazon Q Developer in chat applications (formerly AWS Chatbot) custom notification, published to an SNS
 * topic the chat channel subscribes to. Schema: docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
 * (`version` "1.0", `source` "custom", `client-markdown` the only text type). The page states no length limits;
 * ours keep the message short enough to read in a channel. Amazon Q shows the text in Slack as mrkdwn, with no
 * `verbatim` to set: every host string in it goes through `qText`.
 */
export interface QCustomNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps: string[];
    keywords: string[];
  };
  metadata: {
    threadId: string;
    summary: string;
    eventType: string;
    relatedResources: string[];
    additionalContext: Record<string, string>;
  };
}

/** `step`: a step of prose; `stepWithCode`: one with lines to paste, shown as a code block of their own. */
export const Q_LIMITS = {
  title: 150,
  description: 3500,
  step: 400,
  stepWithCode: 1200,
  summary: 300,
  context: 300,
} as const;

export function renderQNotification(raw: ResponseOutcome): QCustomNotification {
  const outcome = safeOutcome(raw);
  const view = describeOutcome(outcome);
  const incident = outcome.incident;
  const happened = view.whatHappened.map((fact) => `• *${qText(fact.label)}:* ${qText(fact.value)}`);
  const confidence =
    view.cause?.confidencePercent === null || view.cause?.confidencePercent === undefined
      ? ''
      : ` _(confidence ${view.cause.confidencePercent}%, from ${qText(view.cause.basis)})_`;
  const why = view.cause
    ? [`*Why (${view.cause.label.toLowerCase()}):* ${qText(view.cause.title)}${confidence}`]
    : [];
  const done = [
    ...(view.nothingDone ? [qText(view.nothingDone)] : []),
    ...view.actions.map((a) => `${ACTION_NAMES[a.action]} (${STATUS_WORDS[a.status]}): ${qText(a.text)}`),
  ];
  const description = [
    ...view.notices.map((notice) => `:warning: ${qText(notice)}`),
    ...(happened.length > 0 ? [`*What happened* (stated by the kernel report)\n${happened.join('\n')}`] : []),
    ...(view.filledBy ? [`*${FILLED_BY_LABEL}:* ${qText(view.filledBy)}`] : []),
    ...memoryTimelineLines(view),
    ...why,
    view.facts.map((fact) => `*${fact.label}:* ${qText(fact.value)}`).join('\n'),
    `*What was done:* ${done.join('; ')}`,
    ...(view.recurrence ? [`*Recurrence:* ${qText(view.recurrence)}`] : []),
    ...(view.links.length > 0 ? [view.links.map((item) => link(item.url, item.label)).join(' · ')] : []),
  ];
  const keywords = [
    'oom-kill',
    view.severity,
    incident.firstKill.process,
    incident.instance.instanceId,
    incident.firstKill.cgroup ? 'cgroup' : 'host-wide',
    view.confirmed ? 'confirmed' : 'unconfirmed',
  ].filter((word): word is string => typeof word === 'string' && word.trim().length > 0);
  return {
    version: '1.0',
    source: 'custom',
    id: view.incidentId,
    content: {
      textType: 'client-markdown',
      title: fitQ(`${SEVERITY_EMOJI[view.severity]} ${tagged(view.provenance, view.title)}`, Q_LIMITS.title),
      description: fitLines(description, Q_LIMITS.description, 'more lines'),
      // Amazon Q shows each step as mrkdwn in Slack: the code is a code block, as in the webhook message.
      nextSteps: view.nextSteps.map((step) =>
        stepMrkdwn(step, '', step.code ? Q_LIMITS.stepWithCode : Q_LIMITS.step),
      ),
      keywords: keywords.map((word) => fitQ(oneLine(word), 60)),
    },
    metadata: {
      threadId: view.incidentId,
      summary: fitQ(
        `${tagged(view.provenance, view.title)}. ${view.cause?.title ?? view.kernelFinding}`,
        Q_LIMITS.summary,
      ),
      eventType: 'OomKill',
      relatedResources: [incident.instance.instanceId, outcome.context.executionArn]
        .filter((id): id is string => typeof id === 'string' && id.length > 0)
        .map(oneLine),
      additionalContext: {
        incidentId: view.incidentId,
        severity: view.severity,
        host: fitQ(view.host, Q_LIMITS.context),
        victim: fitQ(view.victim, Q_LIMITS.context),
        kills: String(incident.killCount),
        diagnostics: outcome.diagnostics.status,
        confirmed: String(view.confirmed),
        ...(view.provenance ? { provenance: view.provenance.kind } : {}),
      },
    },
  };
}

/** The hour before the kill (CloudWatch agent metrics), the sparkline as inline code as in the webhook message. */
function memoryTimelineLines(view: OutcomeView): string[] {
  const timeline = view.memoryTimeline;
  if (!timeline) return [];
  if (!timeline.sparkline) return [`*${qText(timeline.heading)}:* ${qText(timeline.line)}`];
  return [
    `*${qText(timeline.heading)}*\n\`${timeline.sparkline}\` ${qText(timeline.span ?? '')}\n${qText(timeline.line)}`,
  ];
}

/** Host text made safe for the payload (`qText`) and cut to `max`, without half an entity at the cut. */
/** Host-safe text for the Q payload (`qText`) cut to `max` (`fitEscaped`: no half entity, no bare mention). */
export function fitQ(text: string, max: number): string {
  return fitEscaped(qText(text), max);
}
