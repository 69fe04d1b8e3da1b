import type { DiagnosticsSummary } from '../diagnostics/model';
import type { ProcessGrowth } from '../diagnostics/pressure-sample';

/**
 * The process most likely to be the next victim, as the host measured it: the fastest grower between the
 * script's two samples (taken seconds apart in one run); without a measured growth (one sample only, a script too old to take two,
 * nothing grew), the largest process by RSS, said to have no growth measured.
 */
export type TopGrower =
  | {
      kind: 'growing';
      pid: number;
      comm: string;
      rssKb: number;
      /** RSS growth per hour, KiB. */
      kbPerHour: number;
      /** Seconds between the two samples the rate is from. */
      sinceSeconds: number;
    }
  | { kind: 'largest'; pid: number; comm: string; rssKb: number };

/** Only a process that grew counts as a grower; one that shrank or stayed is no lead. */
export function topGrower(diagnostics: DiagnosticsSummary | null): TopGrower | null {
  if (!diagnostics) return null;
  const growing = [...(diagnostics.pressure?.growth ?? [])]
    .filter((g) => g.kbPerHour > 0)
    .sort((a, b) => b.kbPerHour - a.kbPerHour);
  const fastest: ProcessGrowth | undefined = growing[0];
  if (fastest) {
    return {
      kind: 'growing',
      pid: fastest.pid,
      comm: fastest.comm,
      rssKb: fastest.rssKb,
      kbPerHour: fastest.kbPerHour,
      sinceSeconds: fastest.sinceSeconds,
    };
  }
  const largest = [
    ...(diagnostics.pressure?.smaps ?? []).map((s) => ({ pid: s.pid, comm: s.comm, rssKb: s.rssKb })),
    ...diagnostics.topProcesses.map((p) => ({ pid: p.pid, comm: p.comm, rssKb: p.rssKb })),
  ].sort((a, b) => b.rssKb - a.rssKb)[0];
  return largest ? { kind: 'largest', ...largest } : null;
}
