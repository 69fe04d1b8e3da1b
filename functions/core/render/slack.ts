import type { ResponseOutcome } from '../incident/outcome';
import { tagged } from '../incident/provenance';
import { adviceLine } from './advice-view';
import { fitMrkdwn } from './mrkdwn';
import {
  blocksTextLength,
  context,
  divider,
  fields,
  header,
  SEVERITY_EMOJI,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
  section,
} from './slack-blocks';
import {
  actionsText,
  causeText,
  evidenceText,
  linksText,
  memoryTimelineText,
  noticesText,
  processesText,
  recurrenceText,
  stateText,
  whatHappenedText,
} from './slack-sections';
import { mrkdwnText } from './untrusted';
import { describeOutcome, type OutcomeView } from './view';

/** A field value's share of the message: facts are one line; a longer one (a deep cgroup path) is cut. */
const FIELD_VALUE_CHARS = 300;

interface Part {
  render: (view: OutcomeView, max: number) => string | null;
  /** Most characters it may take, and the least it keeps when the message must shrink. */
  max: number;
  min: number;
  /** Lower shrinks first; undefined never shrinks. */
  shrinkOrder?: number;
  divider?: boolean;
}

/** Sections in reading order. The top processes go first when room runs out, what was done goes last. */
const PARTS: readonly Part[] = [
  { render: noticesText, max: 1500, min: 1500 },
  { render: whatHappenedText, max: 1200, min: 1200 },
  // A few hundred characters at most (12 blocks and a line of figures): it never shrinks.
  { render: memoryTimelineText, max: 900, min: 900 },
  // Room for the first step's code block whole (a drop-in, a swap recipe) beside the cause line.
  { render: causeText, max: 2200, min: 2200 },
  { render: evidenceText, max: 1500, min: 300, shrinkOrder: 3 },
  { render: actionsText, max: 1500, min: 500, shrinkOrder: 5 },
  { render: stateText, max: 800, min: 300, shrinkOrder: 4 },
  { render: processesText, max: 2500, min: 300, shrinkOrder: 1 },
  { render: recurrenceText, max: 2900, min: 300, shrinkOrder: 2 },
  { render: linksText, max: 3000, min: 3000, divider: true },
];

/**
 * The Slack incoming-webhook payload for one incident. Ordered for a 3 a.m. reader: what and where (header),
 * anything that makes the rest partial, the likely cause and what to do next, then the facts, the evidence,
 * what was done, and links. Pure; every host string is redacted, then made safe for mrkdwn (`mrkdwnText`) or
 * plain text (`plainText`); every block is within Slack's
 * per-block limits, and all blocks together within `SLACK_LIMITS.blocksTextBudget`.
 */
export function renderSlackMessage(outcome: ResponseOutcome): SlackMessage {
  const view = describeOutcome(outcome);
  const top = header(`${SEVERITY_EMOJI[view.severity]} ${tagged(view.provenance, view.title)}`);
  const facts = fields(view.facts, FIELD_VALUE_CHARS);
  const footer = context([mrkdwnText(view.footer)]);
  const texts = PARTS.map((part) => part.render(view, part.max));
  const fixed = blocksTextLength([top, facts, footer]);
  const total = (): number => fixed + texts.reduce((sum, text) => sum + (text?.length ?? 0), 0);
  const shrinking = PARTS.map((part, i) => ({ part, i }))
    .filter(({ part }) => part.shrinkOrder !== undefined)
    .sort((a, b) => (a.part.shrinkOrder ?? 0) - (b.part.shrinkOrder ?? 0));
  for (const { part, i } of shrinking) {
    const excess = total() - SLACK_LIMITS.blocksTextBudget;
    if (excess <= 0) break;
    const current = texts[i]?.length ?? 0;
    if (current > part.min) texts[i] = part.render(view, Math.max(part.min, current - excess));
  }
  const sections = PARTS.flatMap((part, i) => {
    const text = texts[i];
    if (!text) return [];
    return part.divider ? [divider(), section(text)] : [section(text)];
  });
  // The facts go right after the cause: notices (when any), what happened, the memory timeline, then the cause.
  const causeAt = texts.slice(0, 4).filter((text) => text).length;
  const blocks: SlackBlock[] = [
    top,
    ...sections.slice(0, causeAt),
    facts,
    ...sections.slice(causeAt),
    footer,
  ];
  return { text: slackFallbackText(view), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/**
 * The notification line (and what clients without blocks show): what, where, why, what next. The next step is
 * one line: its code stays in the blocks, where it can be pasted (`adviceLine`).
 */
export function slackFallbackText(view: OutcomeView): string {
  const why = view.cause ? `${view.cause.label}: ${view.cause.title}` : view.kernelFinding;
  // What happened (its scope), then why: a notification line keeps the certain part apart from the guess.
  const scope = view.whatHappened.find((fact) => fact.label === 'Scope');
  const happened = scope && view.cause ? [`What happened: ${scope.value}`] : [];
  const next = view.nextSteps[0];
  const lines = [
    tagged(view.provenance, view.title),
    ...view.notices.slice(0, 1),
    ...happened,
    why,
    `Next: ${next ? adviceLine(next) : '-'}`,
  ];
  return fitMrkdwn(lines.join('\n'), SLACK_LIMITS.fallbackText);
}
