import { corroborationOf } from '../diagnostics/corroboration';
import { confidenceOf, contradicts } from './evidence';
import { gatherFacts } from './facts';
import { DETECTORS } from './findings';
import type { AnalyzeInput } from './input';
import type { Analysis, Finding, FindingDraft } from './model';
import { planFromFacts } from './plan/plan';
import { rankFindings } from './rank';

/**
 * Analyze one incident: every cause family's finding with its evidence and fix, the likely cause ranked first,
 * and the remediation plan the policy allows. Pure: it reads only its input (no clock, no I/O), and works from
 * the kernel's report alone when the diagnostics could not be collected.
 *
 * @throws InvalidAnalysisInputError when `now` is not an ISO 8601 time.
 */
export function analyze(input: AnalyzeInput): Analysis {
  const facts = gatherFacts(input.incident, input.diagnostics, input.memoryTimeline ?? null);
  const plan = planFromFacts(input, facts);
  const found = DETECTORS.map(([, detect]) => detect(facts)).filter(
    (finding): finding is FindingDraft => finding !== null,
  );
  const confirmed = corroborationOf(input.diagnostics).confirmed;
  const { findings, likelyCause } = rankFindings(
    found.map((finding) => withConfidence(confirmed ? finding : markUnconfirmed(finding))),
  );
  return { findings, likelyCause, plan };
}

/**
 * A claim that rests only on the reported line, which the host did not vouch for, says so: "a critical process
 * was killed" from a forged `logger -t kernel` line must not read as fact.
 */
function markUnconfirmed(finding: FindingDraft): FindingDraft {
  if (finding.family !== 'critical-process-killed') return finding;
  return {
    ...finding,
    title: `Unconfirmed: ${finding.title.charAt(0).toLowerCase()}${finding.title.slice(1)}`,
    evidence: [...finding.evidence, contradicts("the host's kernel log does not confirm the kill")],
  };
}

/** The one place a confidence is set: from the finding's evidence (see `confidenceOf`). */
function withConfidence(finding: FindingDraft): Finding {
  return { ...finding, confidence: confidenceOf(finding.evidence) };
}
