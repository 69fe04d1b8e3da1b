import { tagged } from '../incident/provenance';
import type { PressureOutcome } from '../pressure/outcome';
import { describePressure, type PressureView } from './pressure-view';
import { snsText } from './untrusted';

/**
 * A memory-pressure warning as plain text, for email (the SNS body) and a terminal (`replay --pressure
 * --pretty`): the same order as the Slack message, links written out in full. Redacted like every rendering,
 * and host text revealed (`snsText`).
 */
export function renderPressureText(outcome: PressureOutcome): string {
  return pressureTextOf(describePressure(outcome));
}

export function pressureTextOf(view: PressureView): string {
  const sections: string[][] = [
    [tagged(view.provenance, `[WARNING] ${view.title}`), ...view.notices.map((notice) => `! ${notice}`)],
    ['What was measured:', ...view.measured.map((fact) => `  ${fact.label}: ${fact.value}`)],
    view.top.length > 0
      ? ['Largest processes (smaps_rollup at diagnosis):', ...view.top.map((l) => `  ${l}`)]
      : [],
    stepLines(view),
    ['What the pipeline did:', ...view.done.map((line) => `  ${line}`)],
    view.links.length > 0 ? ['Links:', ...view.links.map((item) => `  ${item.label}: ${item.url}`)] : [],
    [view.footer],
  ];
  const text = sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join('\n'))
    .join('\n\n');
  return `${snsText(text)}\n`;
}

function stepLines(view: PressureView): string[] {
  if (view.nextSteps.length === 0) return [];
  const lines = ['What to do now:'];
  view.nextSteps.forEach((step, i) => {
    lines.push(`${i + 1}. ${step.text}`);
    // Indented four spaces, as email and Markdown readers show code: pasted whole.
    if (step.code) lines.push(...step.code.split('\n').map((line) => `    ${line}`));
    if (step.after) lines.push(`   ${step.after}`);
  });
  return lines;
}
