import { tagged } from '../incident/provenance';
import type { PressureOutcome } from '../pressure/outcome';
import { adviceLine } from './advice-view';
import { fitMrkdwn, link } from './mrkdwn';
import { describePressure, type PressureView } from './pressure-view';
import {
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
import { stepMrkdwn } from './slack-sections';
import { fitLines } from './text-fit';
import { mrkdwnText } from './untrusted';

/** A field value's share: one line of figures; a longer one is cut. */
const FIELD_VALUE_CHARS = 400;

/**
 * The Slack incoming-webhook payload for a memory-pressure warning, ordered for the minutes before a kill: the
 * headline, anything that makes it doubtful, what to do now, what was measured, the largest processes, what the
 * pipeline did, links. Every part has a bound that keeps the whole within `SLACK_LIMITS.blocksTextBudget`.
 */
export function renderPressureSlack(outcome: PressureOutcome): SlackMessage {
  const view = describePressure(outcome);
  const blocks: (SlackBlock | null)[] = [
    header(`${SEVERITY_EMOJI.warning} ${tagged(view.provenance, view.title)}`),
    view.notices.length > 0
      ? section(
          fitLines(
            view.notices.map((n) => `:warning: ${mrkdwnText(n)}`),
            1200,
            'more notices',
          ),
        )
      : null,
    stepsSection(view),
    fields(view.measured, FIELD_VALUE_CHARS),
    view.top.length > 0
      ? section(
          `*Largest processes (smaps_rollup)*\n${fitLines(
            view.top.map((l) => `• ${mrkdwnText(l)}`),
            1200,
            'more',
          )}`,
        )
      : null,
    section(
      `*What the pipeline did*\n${fitLines(
        view.done.map((l) => `• ${mrkdwnText(l)}`),
        1200,
        'more',
      )}`,
    ),
    ...(view.links.length > 0 ? [divider(), section(linksLine(view, 2500))] : []),
    context([mrkdwnText(view.footer)]),
  ];
  return {
    text: fitMrkdwn(fallback(view), SLACK_LIMITS.fallbackText),
    blocks: blocks.filter((b): b is SlackBlock => b !== null),
  };
}

function stepsSection(view: PressureView): SlackBlock | null {
  if (view.nextSteps.length === 0) return null;
  const lines = view.nextSteps.map((step, i) => stepMrkdwn(step, i === 0 ? '*Now:* ' : '• ', 800));
  return section(`*What to do now*\n${fitLines(lines, 2600, 'more steps')}`);
}

/** Links are never cut: those that do not fit are left out. */
function linksLine(view: PressureView, max: number): string {
  const parts: string[] = [];
  let used = 10;
  for (const item of view.links) {
    const text = link(item.url, item.label);
    if (used + text.length + 3 > max) continue;
    parts.push(text);
    used += text.length + 3;
  }
  return `*Links:* ${parts.join(' · ')}`;
}

/** The notification line: the headline, the first doubt, the first step on one line. */
function fallback(view: PressureView): string {
  const next = view.nextSteps[0];
  return [
    tagged(view.provenance, view.title),
    ...view.notices.slice(0, 1),
    ...(next ? [`Now: ${adviceLine(next)}`] : []),
  ].join('\n');
}
