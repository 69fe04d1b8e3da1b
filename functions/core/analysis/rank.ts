import { DETECTORS } from './findings';
import type { CauseFamily, Finding } from './model';

/** Families that describe what the kill did, not why it happened: never the likely cause. */
const IMPACT_ONLY: ReadonlySet<CauseFamily> = new Set(['critical-process-killed']);

/**
 * Ranked findings and the likely cause. The likely cause is the most confident finding that is a cause; the rest
 * follow by confidence. Equal confidences fall back to the detectors' order (root causes before the mechanism,
 * contributing settings after), so the same input always ranks the same way.
 */
export function rankFindings(findings: readonly Finding[]): {
  findings: Finding[];
  likelyCause: Finding | null;
} {
  const order = (family: CauseFamily) => DETECTORS.findIndex(([name]) => name === family);
  const sorted = [...findings].sort(
    (a, b) => b.confidence - a.confidence || order(a.family) - order(b.family),
  );
  const likelyCause = sorted.find((finding) => !IMPACT_ONLY.has(finding.family)) ?? null;
  if (likelyCause === null) return { findings: sorted, likelyCause };
  return { findings: [likelyCause, ...sorted.filter((finding) => finding !== likelyCause)], likelyCause };
}
