import type { ResponseOutcome } from '../incident/outcome';
import { tagged } from '../incident/provenance';
import { ACTION_NAMES, FILLED_BY_LABEL, STATUS_WORDS } from './response-facts';
import { truncate } from './text-fit';
import { snsText } from './untrusted';
import { describeOutcome, type OutcomeView } from './view';

const TOP_PROCESSES_SHOWN = 10;
const COMMAND_CHARS = 300;

/**
 * The incident as plain text, for email (the SNS body) and a terminal (`oom-responder preview --text`): the
 * same order as the Slack message, links written out in full. No markup, nothing escaped; redacted like every
 * rendering, and host text revealed (`snsText`: a control or bidi character shows as `<U+202E>`).
 */
export function renderPlainText(outcome: ResponseOutcome): string {
  return plainTextOf(describeOutcome(outcome));
}

export function plainTextOf(view: OutcomeView): string {
  const sections: string[][] = [
    [
      tagged(view.provenance, `[${view.severity.toUpperCase()}] ${view.title}`),
      ...view.notices.map((notice) => `! ${notice}`),
    ],
    whatHappenedLines(view),
    memoryTimelineLines(view),
    causeLines(view),
    view.facts.map((fact) => `${fact.label}: ${fact.value}`),
    actionLines(view),
    [...(view.memory ? [`${view.memoryLabel}: ${view.memory}`] : []), ...view.state],
    processLines(view),
    recurrenceLines(view),
    view.links.length > 0 ? ['Links:', ...view.links.map((item) => `  ${item.label}: ${item.url}`)] : [],
    [view.footer],
  ];
  const text = sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join('\n'))
    .join('\n\n');
  return `${snsText(text)}\n`;
}

/** The certain part, as the kernel stated it: no confidence. */
function whatHappenedLines(view: OutcomeView): string[] {
  if (view.whatHappened.length === 0 && !view.filledBy) return [];
  return [
    'What happened (stated by the kernel report):',
    ...view.whatHappened.map((fact) => `${fact.label}: ${fact.value}`),
    // Which memory filled it is the report's own breakdown: as certain as the rest of this section.
    ...(view.filledBy ? [`${FILLED_BY_LABEL}: ${view.filledBy}`] : []),
  ];
}

/** The hour before the kill, from the CloudWatch agent's metrics; or the one line saying why there is none. */
function memoryTimelineLines(view: OutcomeView): string[] {
  const timeline = view.memoryTimeline;
  if (!timeline) return [];
  if (!timeline.sparkline) return [`${timeline.heading}: ${timeline.line}`];
  return [`${timeline.heading}:`, `  ${timeline.sparkline}  ${timeline.span ?? ''}`, `  ${timeline.line}`];
}

/** Why: the likely cause, a hypothesis, with the confidence its evidence gives it and that evidence. */
function causeLines(view: OutcomeView): string[] {
  const lines: string[] = [];
  if (view.cause) {
    const confidence =
      view.cause.confidencePercent === null
        ? ''
        : ` (confidence ${view.cause.confidencePercent}%, from ${view.cause.basis})`;
    lines.push(`Why (${view.cause.label.toLowerCase()}): ${view.cause.title}${confidence}`);
  }
  view.nextSteps.forEach((step, i) => {
    // Each step starts a line of its own ("Next:", then "Then:"), so a step never reads as the code above it.
    lines.push(`${i === 0 ? 'Next: ' : 'Then: '}${step.text}`);
    // Code on lines of its own, indented by four spaces (as email and Markdown readers show code): pasted whole.
    if (step.code) lines.push(...step.code.split('\n').map((line) => `    ${line}`));
    if (step.after) lines.push(`      ${step.after}`);
  });
  if (view.cause && view.cause.evidence.length > 0) {
    lines.push(
      'Evidence:',
      ...view.cause.evidence.map((item) => `  - ${item.tag ? `[${item.tag}] ` : ''}${item.text}`),
    );
  }
  if (view.otherFindings.length > 0) lines.push(`Also found: ${view.otherFindings.join('; ')}`);
  return lines;
}

function actionLines(view: OutcomeView): string[] {
  const lines = ['What was done:'];
  if (view.nothingDone) lines.push(`  ${view.nothingDone}`);
  for (const line of view.actions) {
    lines.push(`  [${STATUS_WORDS[line.status]}] ${ACTION_NAMES[line.action]}: ${line.text}`);
    if (line.verification) lines.push(`      verified: ${line.verification}`);
  }
  return lines;
}

function processLines(view: OutcomeView): string[] {
  const { source, lines } = view.top;
  if (lines.length === 0) return [];
  const title =
    source === 'diagnostics'
      ? 'Top processes by RSS at diagnosis (command lines redacted):'
      : 'Largest tasks at the kill (kernel task table, 4 KiB pages):';
  const rows = lines.slice(0, TOP_PROCESSES_SHOWN).map((p) => {
    const command = p.command ? `  ${truncate(p.command, COMMAND_CHARS)}` : '';
    return `  ${String(p.pid).padStart(7)} ${p.rss.padStart(9)}  ${p.name}${command}`;
  });
  if (lines.length > TOP_PROCESSES_SHOWN) rows.push(`  … ${lines.length - TOP_PROCESSES_SHOWN} more`);
  return [title, ...rows];
}

function recurrenceLines(view: OutcomeView): string[] {
  const lines: string[] = [];
  if (view.recurrence) lines.push(`Recurrence: ${view.recurrence}`);
  if (view.kills) {
    const unlisted = view.kills.unlisted > 0 ? ` (${view.kills.unlisted} not listed)` : '';
    lines.push(`${view.kills.heading}${unlisted}:`, ...view.kills.lines.map((line) => `  - ${line}`));
  }
  if (view.related.length > 0) {
    lines.push(
      'Earlier incidents on this instance (24 h):',
      ...view.related.map((item) => `  - ${item.text}${item.url ? ` (${item.url})` : ''}`),
    );
  }
  return lines;
}
