/**
 * What a piece of evidence is, which sets how much it can carry (docs/findings.md, "How confident"):
 * - `kernel`: stated by the kernel's report (or systemd-oomd's own lines) about this kill or an earlier one;
 * - `measured`: measured on the host by the diagnostics, minutes after the kill;
 * - `inferred`: inferred by a heuristic (a share, a name that is a known worker pool, a pattern of sizes);
 * - `contradicts`: a fact that speaks against the hypothesis;
 * - `context`: shown so the reader can check the rest, and carries no weight.
 */
export type EvidenceKind = 'kernel' | 'measured' | 'inferred' | 'contradicts' | 'context';

/** One line an engineer can check, and what kind of support it gives the finding it belongs to. */
export interface Evidence {
  kind: EvidenceKind;
  text: string;
}

/** How much one supporting item of each kind can carry, alone. */
export const EVIDENCE_WEIGHT: Readonly<Record<'kernel' | 'measured' | 'inferred', number>> = {
  kernel: 0.4,
  measured: 0.3,
  inferred: 0.15,
};

/** What each contradicting item leaves of the confidence. */
export const CONTRADICTION_FACTOR = 0.5;

/** No hypothesis is certain: what is certain belongs to "What happened", not to a finding. */
export const MAX_CONFIDENCE = 0.95;

/**
 * A finding's confidence from its evidence, 0..0.95 in hundredths. Supporting items combine like independent
 * witnesses (a noisy OR): each leaves `1 - weight` of the remaining doubt, so a second kernel fact raises 0.40 to
 * 0.64 and a third to 0.78. Each contradicting item then halves the result; context weighs nothing. So adding
 * supporting evidence never lowers a confidence, adding a contradiction always does (down to 0), and a finding
 * with nothing but context has confidence 0.
 */
export function confidenceOf(evidence: readonly Evidence[]): number {
  let doubt = 1;
  let contradictions = 0;
  for (const item of evidence) {
    if (item.kind === 'contradicts') contradictions++;
    else if (item.kind !== 'context') doubt *= 1 - EVIDENCE_WEIGHT[item.kind];
  }
  const support = Math.min(MAX_CONFIDENCE, 1 - doubt) * CONTRADICTION_FACTOR ** contradictions;
  return Math.round(support * 100) / 100;
}

/** Stated by the kernel's report (or systemd-oomd's own lines). */
export const stated = (text: string): Evidence => ({ kind: 'kernel', text });
/** Measured on the host by the diagnostics. */
export const measured = (text: string): Evidence => ({ kind: 'measured', text });
/** Inferred by a heuristic. */
export const inferred = (text: string): Evidence => ({ kind: 'inferred', text });
/** Speaks against the hypothesis. */
export const contradicts = (text: string): Evidence => ({ kind: 'contradicts', text });
/** Shown for the reader, no weight. */
export const context = (text: string): Evidence => ({ kind: 'context', text });
