import { codeBlock, fitMrkdwn, link } from './mrkdwn';
import { ACTION_NAMES, type ActionLine, STATUS_WORDS } from './response-facts';
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

export function causeText(view: OutcomeView, max: number): string {
  const lines: string[] = [];
  if (view.cause) {
    const confidence =
      view.cause.confidencePercent === null ? '' : ` _(confidence ${view.cause.confidencePercent}%)_`;
    lines.push(`*${view.cause.label}:* ${fitMrkdwn(view.cause.title, 500)}${confidence}`);
  } else {
    lines.push(`*What the kernel report shows:* ${fitMrkdwn(view.kernelFinding, 600)}`);
  }
  const [first, ...rest] = view.nextSteps;
  if (first) lines.push(`*Next:* ${fitMrkdwn(first, 500)}`);
  for (const step of rest) lines.push(`• ${fitMrkdwn(step, 300)}`);
  return fitLines(lines, max, 'more lines');
}

export function evidenceText(view: OutcomeView, max: number): string | null {
  const evidence = view.cause?.evidence ?? [];
  if (evidence.length === 0 && view.otherFindings.length === 0) return null;
  const lines = evidence.map((item) => `• ${fitMrkdwn(item, 300)}`);
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
