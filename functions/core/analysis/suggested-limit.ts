import { formatKiB } from '../format/bytes';
import type { AnalysisFacts } from './facts';

/**
 * A quarter above the peak: the kill proves only that the workload needed more than the limit, not how much
 * more, so the new limit leaves room for the next spike of the same size (and the page cache it reads through)
 * without being so loose that a leak takes the host before it hits the limit again.
 */
export const HEADROOM = 0.25;

export interface SuggestedLimit {
  /** The most the cgroup was seen to use: the kernel's usage line or the victim's RSS, whichever is larger. */
  peakKb: number;
  /** `the cgroup's usage at the kill`, `the limit it reached` or `java's RSS at the kill`. */
  peakSource: string;
  /** The peak plus HEADROOM, before rounding up to a config value. */
  targetKb: number;
}

/**
 * Null when no peak is known: no number is better than a guess. The cgroup was killed at its limit, so the limit
 * itself is a floor of what it used; the kernel's usage line and the victim's RSS (file pages included, which
 * may be charged elsewhere, so an overestimate, never an under-) can only raise it.
 */
export function suggestedLimit(facts: AnalysisFacts): SuggestedLimit | null {
  const { limit, victim } = facts;
  const when = limit?.source === 'kernel report' ? 'at the kill' : 'at diagnosis';
  const candidates: [kb: number | null, source: string][] = [
    [limit?.usageKb ?? null, `the cgroup's usage ${when}`],
    [limit?.limitKb ?? null, 'the limit it reached'],
    [victim.rssKb, `${victim.name}'s RSS at the kill`],
  ];
  let best: [number, string] | null = null;
  for (const [kb, source] of candidates) {
    if (kb !== null && kb > 0 && (best === null || kb > best[0])) best = [kb, source];
  }
  if (best === null) return null;
  const [peakKb, source] = best;
  return { peakKb, peakSource: source, targetKb: peakKb * (1 + HEADROOM) };
}

/** `131 MiB, java's RSS at the kill, plus 25% for the next spike, rounded up to 64 MiB` */
export function headroomNote(suggestion: SuggestedLimit): string {
  return `${formatKiB(suggestion.peakKb)}, ${suggestion.peakSource}, plus ${Math.round(HEADROOM * 100)}% for the next spike, rounded up to 64 MiB`;
}
