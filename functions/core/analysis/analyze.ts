import { gatherFacts } from './facts';
import { DETECTORS } from './findings';
import type { AnalyzeInput } from './input';
import type { Analysis, Finding } from './model';
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
  const facts = gatherFacts(input.incident, input.diagnostics);
  const plan = planFromFacts(input, facts);
  const found = DETECTORS.map(([, detect]) => detect(facts)).filter(
    (finding): finding is Finding => finding !== null,
  );
  const { findings, likelyCause } = rankFindings(found.map(roundConfidence));
  return { findings, likelyCause, plan };
}

function roundConfidence(finding: Finding): Finding {
  return { ...finding, confidence: Math.round(Math.min(1, Math.max(0, finding.confidence)) * 100) / 100 };
}
