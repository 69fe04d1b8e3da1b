import { formatKiB } from '../../format/bytes';
import { advice } from '../advice';
import { context, type Evidence, measured } from '../evidence';
import type { AnalysisFacts } from '../facts';
import type { FindingDraft } from '../model';

/**
 * Overcommit settings that let a host promise more memory than it has. They matter for host-wide OOMs only: a
 * memory cgroup charges pages when they are touched, whatever the overcommit mode.
 */
export function overcommit(facts: AnalysisFacts): FindingDraft | null {
  const diagnostics = facts.diagnostics;
  if (!diagnostics || facts.scope !== 'host') return null;
  const mode = diagnostics.vm.overcommitMemory;
  if (mode === 1) {
    return {
      family: 'overcommit',
      title: 'vm.overcommit_memory=1: every allocation is granted, so the OOM killer is the only brake',
      evidence: [measured('vm.overcommit_memory = 1 (always overcommit)'), ...commitLine(facts)],
      recommendation: advice(
        'Return to the heuristic mode unless an application needs 1 (Redis asks for it so fork-based saves succeed; there, bound Redis with `maxmemory` instead):',
        ["echo 'vm.overcommit_memory=0' | sudo tee /etc/sysctl.d/90-overcommit.conf && sudo sysctl --system"],
      ),
    };
  }
  const { committedAsKb, commitLimitKb } = diagnostics.memory;
  const ramKb = facts.ramKb;
  if (mode !== 0 || committedAsKb === null || ramKb === null) return null;
  const capacityKb = ramKb + (facts.swap?.totalKb ?? 0);
  const ratio = committedAsKb / capacityKb;
  if (ratio < 1.5) return null;
  return {
    family: 'overcommit',
    title: `Processes have reserved ${ratio.toFixed(1)}x the memory the host has (Committed_AS ${formatKiB(committedAsKb)})`,
    evidence: [
      context(
        `vm.overcommit_memory = 0 (heuristic): allocations succeed while RAM + swap (${formatKiB(capacityKb)}) is far smaller than what was promised`,
      ),
      measured(
        `Committed_AS ${formatKiB(committedAsKb)}${commitLimitKb === null ? '' : `, CommitLimit ${formatKiB(commitLimitKb)}`}`,
      ),
    ],
    recommendation: advice(
      'Find who reserves the most (`ps -eo pid,vsz,rss,comm --sort=-vsz | head`) and bound it. To make allocations fail instead of the OOM killer striking, test strict accounting on a canary first (many programs reserve far more than they touch), in `/etc/sysctl.d/90-overcommit.conf`, then `sudo sysctl --system`:',
      ['vm.overcommit_memory=2', '# CommitLimit = swap + 80% of RAM', 'vm.overcommit_ratio=80'],
    ),
  };
}

function commitLine(facts: AnalysisFacts): Evidence[] {
  const { committedAsKb } = facts.diagnostics?.memory ?? { committedAsKb: null };
  if (committedAsKb === null || facts.ramKb === null) return [];
  return [context(`Committed_AS ${formatKiB(committedAsKb)} against ${formatKiB(facts.ramKb)} RAM`)];
}
