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

/**
 * Each part's most characters, chosen so that all of them at once (with the header's 150, six facts and the
 * footer) stay under `SLACK_LIMITS.blocksTextBudget` (9,000): no part needs to shrink another. A line is cut to
 * `line` by itself, so a long one is shortened visibly rather than dropping the lines after it.
 */
const ROOM = {
  notices: 900,
  steps: 1900,
  step: 800,
  fieldValue: 250,
  top: 800,
  done: 800,
  links: 2200,
  line: 380,
} as const;

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
            view.notices.map((n) => `:warning: ${fitMrkdwn(n, ROOM.line)}`),
            ROOM.notices,
            'more notices',
          ),
        )
      : null,
    stepsSection(view),
    fields(view.measured, ROOM.fieldValue),
    view.top.length > 0
      ? section(
          `*Largest processes (smaps_rollup)*\n${fitLines(
            view.top.map((l) => `• ${fitMrkdwn(l, ROOM.line)}`),
            ROOM.top,
            'more',
          )}`,
        )
      : null,
    section(
      `*What the pipeline did*\n${fitLines(
        view.done.map((l) => `• ${fitMrkdwn(l, ROOM.line)}`),
        ROOM.done,
        'more',
      )}`,
    ),
    ...(view.links.length > 0 ? [divider(), section(linksLine(view, ROOM.links))] : []),
    context([mrkdwnText(view.footer)]),
  ];
  return {
    text: fitMrkdwn(fallback(view), SLACK_LIMITS.fallbackText),
    blocks: blocks.filter((b): b is SlackBlock => b !== null),
  };
}

function stepsSection(view: PressureView): SlackBlock | null {
  if (view.nextSteps.length === 0) return null;
  const lines = view.nextSteps.map((step, i) => stepMrkdwn(step, i === 0 ? '*Now:* ' : '• ', ROOM.step));
  return section(`*What to do now*\n${fitLines(lines, ROOM.steps, 'more steps')}`);
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
