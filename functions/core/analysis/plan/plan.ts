import { corroborationOf } from '../../diagnostics/corroboration';
import { InvalidAnalysisInputError } from '../errors';
import type { AnalysisFacts } from '../facts';
import { gatherFacts } from '../facts';
import type { AnalyzeInput } from '../input';
import type { ActionName, RemediationPlan } from '../model';
import { parseTime } from '../time';
import { type Decision, planAddSwap } from './add-swap';
import { planRestartService } from './restart-service';

/** Why no remediation is planned for a drill. */
export const DRILL_SKIP_REASON = 'a drill never changes a host';

const REMEDIATIONS: readonly ActionName[] = ['add-swap', 'restart-service'];

/**
 * The remediation plan the deployed policy allows for this incident. The default policy plans nothing; every
 * remediation considered and not planned is listed in `skipped` with a reason a person understands. Nothing is
 * planned for a kill the host's own kernel log does not confirm: the line that reported it may be anyone's.
 *
 * @throws InvalidAnalysisInputError when `now` is not an ISO 8601 time (the hourly limits would be unenforceable).
 */
export function planRemediation(input: AnalyzeInput): RemediationPlan {
  return planFromFacts(input, gatherFacts(input.incident, input.diagnostics, input.memoryTimeline ?? null));
}

/** `planRemediation` for a caller that has gathered the facts already (`analyze`). */
export function planFromFacts(input: AnalyzeInput, facts: AnalysisFacts): RemediationPlan {
  const nowMs = parseTime(input.now);
  if (nowMs === null)
    throw new InvalidAnalysisInputError(`now is not an ISO 8601 time: ${JSON.stringify(input.now)}`);
  // A drill's report is synthetic: whatever the policy allows, nothing is sent (the documents refuse one too).
  if (input.incident.drill)
    return { steps: [], skipped: REMEDIATIONS.map((action) => ({ action, reason: DRILL_SKIP_REASON })) };
  const decisions: [ActionName, Decision][] = [
    ['add-swap', planAddSwap(input, facts, nowMs)],
    ['restart-service', planRestartService(input, facts, nowMs)],
  ];
  const corroboration = corroborationOf(input.diagnostics);
  const plan: RemediationPlan = { steps: [], skipped: [] };
  for (const [action, decision] of decisions) {
    // Checked last, so a remediation the policy would not send anyway keeps its own reason.
    if ('step' in decision && !corroboration.confirmed)
      plan.skipped.push({
        action,
        reason: `not sent: the kill is not confirmed by the host's kernel log (${corroboration.why})`,
      });
    else if ('step' in decision) plan.steps.push(decision.step);
    else plan.skipped.push({ action, reason: decision.skipped });
  }
  return plan;
}
