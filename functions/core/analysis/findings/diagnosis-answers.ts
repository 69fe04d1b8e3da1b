import { diagnosisRelation } from '../../diagnostics/diagnosis-time';
import { formatKiB } from '../../format/bytes';
import type { AnalysisFacts } from '../facts';

/**
 * What the diagnostics already answered, in place of the command that would ask it again: on-call should not run
 * `ps aux --sort=-rss` when the message can show its output. Each answer is marked `at diagnosis HH:MM:SS`, the
 * host's state minutes after the kill; null when the diagnostics did not run, hold no answer, or describe another
 * boot or kernel (then the command is the honest step).
 */
export interface DiagnosisAnswers {
  /** `at diagnosis 18:28:16 the largest processes were java (pid 41877) 3.3 GiB, node (pid 2210) 403 MiB`. */
  largestProcesses: string | null;
  /** `at diagnosis 18:28:16 the most numerous were apache2 x187, php-fpm x12`. */
  processCounts: string | null;
  /** `at diagnosis 18:28:16 Shmem 1.2 GiB, Slab 300 MiB (SUnreclaim 120 MiB)`. */
  memoryOutsideProcesses: string | null;
}

export function diagnosisAnswers(facts: AnalysisFacts): DiagnosisAnswers {
  const summary = facts.diagnostics;
  const none = { largestProcesses: null, processCounts: null, memoryOutsideProcesses: null };
  if (!summary) return none;
  const relation = diagnosisRelation(facts.kill, summary);
  if (relation.notAboutThisKill) return none;
  const at = `at diagnosis${relation.at ? ` ${relation.at}` : ''}`;
  const top = [...summary.topProcesses].sort((a, b) => b.rssKb - a.rssKb).slice(0, 3);
  const counts = summary.processCounts.slice(0, 3);
  const { shmemKb, slabKb, sUnreclaimKb } = summary.memory;
  const outside = [
    shmemKb === null ? null : `Shmem ${formatKiB(shmemKb)}`,
    slabKb === null
      ? null
      : `Slab ${formatKiB(slabKb)}${sUnreclaimKb === null ? '' : ` (SUnreclaim ${formatKiB(sUnreclaimKb)})`}`,
  ].filter((part): part is string => part !== null);
  return {
    largestProcesses:
      top.length === 0
        ? null
        : `${at} the largest processes were ${top.map((p) => `${p.comm} (pid ${p.pid}) ${formatKiB(p.rssKb)}`).join(', ')}`,
    processCounts:
      counts.length === 0
        ? null
        : `${at} the most numerous were ${counts.map((c) => `${c.name} x${c.count}`).join(', ')}`,
    memoryOutsideProcesses: outside.length === 0 ? null : `${at} ${outside.join(', ')}`,
  };
}
