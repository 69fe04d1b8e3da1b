import type { ResponseOutcome } from '../incident/outcome';
import { escapeMrkdwn, link } from './mrkdwn';
import { ACTION_NAMES, STATUS_WORDS } from './response-facts';
import { fitLines, oneLine, truncate } from './text-fit';
import { describeOutcome, safeOutcome } from './view';

/**
 * The Amazon Q Developer in chat applications (formerly AWS Chatbot) custom notification, published to an SNS
 * topic the chat channel subscribes to. Schema: docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
 * (`version` "1.0", `source` "custom", `client-markdown` the only text type). The page states no length limits;
 * ours keep the message short enough to read in a channel.
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

const Q_LIMITS = { title: 150, description: 3500, step: 400, summary: 300 } as const;

export function renderQNotification(raw: ResponseOutcome): QCustomNotification {
  const outcome = safeOutcome(raw);
  const view = describeOutcome(outcome);
  const incident = outcome.incident;
  const emoji = view.severity === 'critical' ? ':rotating_light:' : ':warning:';
  const why = view.cause
    ? `*${view.cause.label}:* ${escapeMrkdwn(view.cause.title)}`
    : `*What the kernel report shows:* ${escapeMrkdwn(view.kernelFinding)}`;
  const done = [
    ...(view.nothingDone ? [escapeMrkdwn(view.nothingDone)] : []),
    ...view.actions.map(
      (a) => `${ACTION_NAMES[a.action]} (${STATUS_WORDS[a.status]}): ${escapeMrkdwn(a.text)}`,
    ),
  ];
  const description = [
    ...view.notices.map((notice) => `:warning: ${escapeMrkdwn(notice)}`),
    why,
    view.facts.map((fact) => `*${fact.label}:* ${escapeMrkdwn(fact.value)}`).join('\n'),
    `*What was done:* ${done.join('; ')}`,
    ...(view.recurrence ? [`*Recurrence:* ${escapeMrkdwn(view.recurrence)}`] : []),
    ...(view.links.length > 0 ? [view.links.map((item) => link(item.url, item.label)).join(' · ')] : []),
  ];
  const keywords = [
    'oom-kill',
    view.severity,
    incident.firstKill.process,
    incident.instance.instanceId,
    incident.firstKill.cgroup ? 'cgroup' : 'host-wide',
  ].filter((word): word is string => typeof word === 'string' && word.length > 0);
  return {
    version: '1.0',
    source: 'custom',
    id: view.incidentId,
    content: {
      textType: 'client-markdown',
      title: truncate(`${emoji} ${escapeMrkdwn(view.title)}`, Q_LIMITS.title),
      description: fitLines(description, Q_LIMITS.description, 'more lines'),
      nextSteps: view.nextSteps.map((step) => truncate(escapeMrkdwn(step), Q_LIMITS.step)),
      keywords: keywords.map((word) => truncate(oneLine(word), 60)),
    },
    metadata: {
      threadId: view.incidentId,
      summary: truncate(`${view.title}. ${view.cause?.title ?? view.kernelFinding}`, Q_LIMITS.summary),
      eventType: 'OomKill',
      relatedResources: [incident.instance.instanceId, outcome.context.executionArn]
        .filter((id): id is string => typeof id === 'string' && id.length > 0)
        .map(oneLine),
      additionalContext: {
        incidentId: view.incidentId,
        severity: view.severity,
        host: view.host,
        victim: view.victim,
        kills: String(incident.killCount),
        diagnostics: outcome.diagnostics.status,
      },
    },
  };
}
