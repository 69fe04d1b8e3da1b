import type { Advice } from '../analysis/model';
import { codeBlock, fitMrkdwn, fitProse, link, pasteBlock } from './mrkdwn';
import { ACTION_NAMES, type ActionLine, FILLED_BY_LABEL, STATUS_WORDS } from './response-facts';
import { fitLines, truncate } from './text-fit';
import { mrkdwnText } from './untrusted';
import type { OutcomeView } from './view';

/**
 * The mrkdwn of each section of the incident message. Each takes the most characters it may use, so the message
 * can give room to what matters first and cut the rest visibly (see `renderSlackMessage`). Every view value is
 * host text or holds some: each goes through `fitMrkdwn` (`mrkdwnText`) or, in the process table, `codeBlock`.
 */
const TOP_PROCESSES_SHOWN = 8;
const COMMAND_CHARS = 160;

export const ACTION_EMOJI: Record<ActionLine['status'], string> = {
  done: ':white_check_mark:',
  'already-ok': ':heavy_check_mark:',
  'dry-run': ':test_tube:',
  planned: ':test_tube:',
  refused: ':no_entry:',
  failed: ':x:',
  skipped: ':fast_forward:',
  'not-planned': ':fast_forward:',
};

export function noticesText(view: OutcomeView, max: number): string | null {
  if (view.notices.length === 0) return null;
  return fitLines(
    view.notices.map((notice) => `:warning: ${fitMrkdwn(notice, 600)}`),
    max,
    'more notices',
  );
}

/** The certain part, as the kernel stated it: no confidence. */
export function whatHappenedText(view: OutcomeView, max: number): string | null {
  if (view.whatHappened.length === 0 && !view.filledBy) return null;
  const lines = view.whatHappened.map(
    (fact) => `• *${fitMrkdwn(fact.label, 60)}:* ${fitMrkdwn(fact.value, 400)}`,
  );
  // Which memory filled it is the report's own breakdown: as certain as the rest of this section.
  if (view.filledBy) lines.push(`• *${FILLED_BY_LABEL}:* ${fitMrkdwn(view.filledBy, 300)}`);
  return `*What happened* (stated by the kernel report)\n${fitLines(lines, max - 50, 'more lines')}`;
}

/**
 * The hour before the kill, from the CloudWatch agent's metrics (not the kernel report: a section of its own):
 * the sparkline as inline code, so its blocks line up, then the figures. Or the one line saying why there is none.
 */
export function memoryTimelineText(view: OutcomeView, max: number): string | null {
  const timeline = view.memoryTimeline;
  if (!timeline) return null;
  if (!timeline.sparkline)
    return `*${fitMrkdwn(timeline.heading, 200)}:* ${fitMrkdwn(timeline.line, max - 220)}`;
  const head = `*${fitMrkdwn(timeline.heading, 200)}*\n\`${timeline.sparkline}\` ${fitMrkdwn(timeline.span ?? '', 40)}`;
  return `${head}\n${fitMrkdwn(timeline.line, max - head.length - 1)}`;
}

/** Why: the likely cause with the confidence its evidence gives it, then what to do next. */
export function causeText(view: OutcomeView, max: number): string {
  const lines: string[] = [];
  if (view.cause) {
    const confidence =
      view.cause.confidencePercent === null
        ? ''
        : ` _(confidence ${view.cause.confidencePercent}%, from ${fitMrkdwn(view.cause.basis, 100)})_`;
    lines.push(`*Why (${view.cause.label.toLowerCase()}):* ${fitMrkdwn(view.cause.title, 500)}${confidence}`);
  }
  const [first, ...rest] = view.nextSteps;
  // The first step gets what the cause line left (its code whole where it fits), the others a share each.
  const room = max - (lines[0]?.length ?? 0) - 60;
  if (first) lines.push(stepMrkdwn(first, '*Next:* ', Math.min(room, 1600)));
  for (const step of rest) lines.push(stepMrkdwn(step, '• ', 1000));
  return fitLines(lines, max, 'more lines');
}

/**
 * A next step in mrkdwn: its prose, the code to paste in a code block of its own (never flattened: a drop-in is
 * right only line for line), and the prose after it. At most `max` characters, the block always closed.
 */
export function stepMrkdwn(step: Advice, lead: string, max: number): string {
  const text = `${lead}${fitProse(step.text, Math.min(500, Math.max(100, max - 400)))}`;
  const after = step.after ? fitProse(step.after, 250) : null;
  if (!step.code) return after ? `${text} ${after}` : text;
  const codeRoom = max - text.length - (after ? after.length + 1 : 0) - 1;
  return [text, pasteBlock(step.code, Math.max(40, codeRoom)), ...(after ? [after] : [])].join('\n');
}

export function evidenceText(view: OutcomeView, max: number): string | null {
  const evidence = view.cause?.evidence ?? [];
  if (evidence.length === 0 && view.otherFindings.length === 0) return null;
  const lines = [
    ...evidence.map((item) => `• ${item.tag ? `_${item.tag}:_ ` : ''}${fitMrkdwn(item.text, 300)}`),
  ];
  if (view.otherFindings.length > 0) {
    lines.push(`_Also found:_ ${fitMrkdwn(view.otherFindings.slice(0, 4).join('; '), 400)}`);
  }
  return `*Evidence*\n${fitLines(lines, max - 20, 'more lines')}`;
}

export function actionsText(view: OutcomeView, max: number): string {
  const lines = view.actions.map((line) => {
    const verified = line.verification ? `\n      _verified:_ ${fitMrkdwn(line.verification, 300)}` : '';
    const name = `*${ACTION_NAMES[line.action]}* (${STATUS_WORDS[line.status]})`;
    return `${ACTION_EMOJI[line.status]} ${name}: ${fitMrkdwn(line.text, 400)}${verified}`;
  });
  if (view.nothingDone) lines.unshift(mrkdwnText(view.nothingDone));
  return `*What was done*\n${fitLines(lines, max - 20, 'more actions')}`;
}

export function stateText(view: OutcomeView, max: number): string | null {
  const lines = [
    ...(view.memory ? [`*${fitMrkdwn(view.memoryLabel, 200)}:* ${fitMrkdwn(view.memory, 400)}`] : []),
    ...view.state.map((line) => `• ${fitMrkdwn(line, 400)}`),
  ];
  return lines.length > 0 ? fitLines(lines, max, 'more lines') : null;
}

export function processesText(view: OutcomeView, max: number): string | null {
  const { source, lines } = view.top;
  if (lines.length === 0) return null;
  const title =
    source === 'diagnostics'
      ? '*Top processes by RSS* (at diagnosis, command lines redacted)'
      : '*Largest tasks at the kill* (kernel task table, 4 KiB pages)';
  const rows = lines.slice(0, TOP_PROCESSES_SHOWN).map((p) => {
    const command = p.command ? `  ${truncate(p.command, COMMAND_CHARS)}` : '';
    return `${String(p.pid).padStart(7)} ${p.rss.padStart(9)}  ${truncate(p.name, 40)}${command}`;
  });
  if (lines.length > TOP_PROCESSES_SHOWN) rows.push(`… ${lines.length - TOP_PROCESSES_SHOWN} more`);
  const room = max - title.length - 1;
  return `${title}\n${codeBlock(fitLines(rows, room - 20, 'more processes'), room)}`;
}

export function recurrenceText(view: OutcomeView, max: number): string | null {
  const lines: string[] = [];
  if (view.recurrence) lines.push(`:repeat: *Recurrence:* ${fitMrkdwn(view.recurrence, 400)}`);
  if (view.kills) {
    const unlisted = view.kills.unlisted > 0 ? ` (${view.kills.unlisted} not listed)` : '';
    lines.push(`*${fitMrkdwn(view.kills.heading, 300)}*${unlisted}`);
    lines.push(...view.kills.lines.map((line) => `• ${fitMrkdwn(line, 300)}`));
  }
  if (view.related.length > 0) {
    lines.push('*Earlier incidents on this instance (24 h)*');
    // The incident id is the link to its execution: a cut link is a broken one, so only the text is fitted.
    lines.push(
      ...view.related.map((item) => {
        const [id = '', ...rest] = item.text.split(': ');
        const label = item.url ? link(item.url, id) : fitMrkdwn(id, 100);
        return `• ${label}: ${fitMrkdwn(rest.join(': '), 200)}`;
      }),
    );
  }
  return lines.length > 0 ? fitLines(lines, max, 'more kills') : null;
}

/** Links are never cut (a cut URL is a broken link): those that do not fit are left out. */
export function linksText(view: OutcomeView, max: number): string | null {
  const parts: string[] = [];
  let used = '*Links:* '.length;
  for (const item of view.links) {
    const text = link(item.url, item.label);
    if (used + text.length + 3 > max) continue;
    parts.push(text);
    used += text.length + 3;
  }
  return parts.length > 0 ? `*Links:* ${parts.join(' · ')}` : null;
}
