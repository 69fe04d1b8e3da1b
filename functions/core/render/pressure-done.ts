import type { ActionResult } from '../analysis/model';
import type { PressureOutcome } from '../pressure/outcome';
import { STATUS_WORDS } from './response-facts';

/**
 * What the pipeline did about the warning, one line each: the read-only diagnostics, and the preventive swap
 * (its result and how it was verified, a dry run, a refusal with the reason, or why it was not planned).
 */
export function pressureDone(outcome: PressureOutcome): string[] {
  const { diagnostics, analysis, actions } = outcome;
  const lines = [
    diagnostics.status === 'collected'
      ? 'Diagnostics collected (read-only, nothing changed on the host)'
      : `Diagnostics ${diagnostics.status}: ${diagnostics.detail ?? 'no detail'}`,
  ];
  const swap = actions.find((a) => a.action === 'add-swap');
  if (swap) lines.push(swapResult(swap));
  else if (analysis?.plan.steps.some((s) => s.action === 'add-swap'))
    lines.push('Preventive swap: planned, but no result reached the notifier (see the execution)');
  else {
    const skipped = analysis?.plan.skipped.find((s) => s.action === 'add-swap');
    lines.push(`Preventive swap: not planned${skipped ? ` (${skipped.reason})` : ''}`);
  }
  return lines;
}

function swapResult(result: ActionResult): string {
  const verified = result.verification ? `; verified: ${result.verification}` : '';
  return `Preventive swap (${STATUS_WORDS[result.status]}): ${result.summary}${verified}`;
}
