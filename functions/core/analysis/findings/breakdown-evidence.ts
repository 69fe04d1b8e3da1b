import { formatKiB } from '../../format/bytes';
import { formatLimitKb } from '../../format/limits';
import { isNamed, readableCgroupPath, type Workload, workloadLabel, workloadOf } from '../../workload';
import { context, type Evidence, inferred, stated } from '../evidence';
import type { AnalysisFacts } from '../facts';
import type { MemoryComposition, MemoryPart } from '../memory-composition';
import { KIND_NAMES, totalPhrase } from '../memory-composition-line';
import { percent } from '../text';

/**
 * The report's own figures behind a breakdown finding, under the kernel's names (`sock`, `anon`, `file`; v1's
 * `rss`, `cache`, `kmem`; Mem-Info's `active_anon` ...), so an engineer can find each in the report. The summary
 * (`composition.line`) is not repeated here: the message shows it on a line of its own.
 */
export function breakdownEvidence(
  facts: AnalysisFacts,
  composition: MemoryComposition,
  part: MemoryPart,
): Evidence[] {
  const figures = kernelFigures(facts, composition);
  return [...(figures ? [stated(figures)] : []), shareEvidence(composition, part)];
}

/**
 * How much of the total the part holds. The kernel's own counters say so: when the part is the dominant filler
 * (`DOMINANT_SHARE`: half the total and twice the next part) that is a second kernel fact for the finding; a part
 * over the finding's threshold but not dominant is only a share a heuristic reads as significant.
 */
function shareEvidence(composition: MemoryComposition, part: MemoryPart): Evidence {
  const name = KIND_NAMES[part.kind].full;
  const share = `${name}: ${formatKiB(part.kb)} ${totalPhrase(composition)} (${percent(part.kb, composition.totalKb)})`;
  return composition.dominant === part
    ? stated(`${share}, more than any other part by far: this is what filled it`)
    : inferred(`${share}: a large part, though not most of it`);
}

/** A line that explains a mechanism to the reader: no weight of its own. */
export const explains = (text: string): Evidence => context(text);

/**
 * A breakdown finding's title: `Socket buffers took 175 MiB of 203 MiB charged (86%) in pod a/b (container c),
 * not xray's own memory`, then what it is (`why`).
 */
export function breakdownTitle(
  facts: AnalysisFacts,
  composition: MemoryComposition,
  part: MemoryPart,
  why: string,
): string {
  const name = KIND_NAMES[part.kind].full;
  const where = composition.scope === 'host' ? 'on the host' : `in ${placeName(facts)}`;
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} took ${formatKiB(part.kb)} ${totalPhrase(composition)} (${percent(part.kb, composition.totalKb)}) ${where}${why}`;
}

/** The victim's workload by name when the diagnostics tell it, else its memory cgroup. */
export function placeName(facts: AnalysisFacts): string {
  const workload = workloadOf(facts.kill.container, facts.diagnostics?.containers ?? []);
  if (workload && isNamed(workload)) return workloadLabel(workload);
  return `${facts.victim.name}'s memory cgroup`;
}

/** The victim's workload as the diagnostics describe it, for commands that must run inside it. */
export function victimWorkload(facts: AnalysisFacts): Workload | null {
  return workloadOf(facts.kill.container, facts.diagnostics?.containers ?? []);
}

function kernelFigures(facts: AnalysisFacts, composition: MemoryComposition): string {
  const { kill } = facts;
  const figures = (pairs: [string, number | null][]) =>
    pairs
      .filter((pair): pair is [string, number] => pair[1] !== null)
      .map(([key, kb]) => `${key} ${formatKiB(kb)}`)
      .join(', ');
  const stats = kill.memcgStats;
  if (composition.source === 'memcg stats' && stats) {
    const v2 = stats.format === 'v2';
    const listed = figures([
      [v2 ? 'anon' : 'rss', stats.anonKb],
      [v2 ? 'file' : 'cache', stats.fileKb],
      ['shmem', stats.shmemKb],
      ['sock', stats.sockKb],
      [v2 ? 'kernel' : 'kmem usage', v2 ? stats.kernelKb : kill.kmemUsageKb],
    ]);
    const usage = kill.memoryUsageKb === null ? '' : `memory usage ${formatKiB(kill.memoryUsageKb)}`;
    const limit = kill.memoryLimitKb === null ? '' : `limit ${formatLimitKb(kill.memoryLimitKb)}`;
    const summary = [usage, limit].filter(Boolean).join(', ');
    const path = readableCgroupPath(stats.memcg, victimWorkload(facts));
    return `the report's memory cgroup stats for ${path}: ${listed}${summary ? ` (${summary})` : ''}`;
  }
  const info = kill.memInfo;
  if (!info) return '';
  const listed = figures([
    ['active_anon', info.activeAnonKb],
    ['inactive_anon', info.inactiveAnonKb],
    ['active_file', info.activeFileKb],
    ['inactive_file', info.inactiveFileKb],
    ['shmem', info.shmemKb],
    ['slab_unreclaimable', info.slabUnreclaimableKb],
    ['slab_reclaimable', info.slabReclaimableKb],
    ['pagetables', info.pagetablesKb],
    ['free', info.freeKb],
  ]);
  const page = info.pageKbFromReport ? '' : ', 4 KiB pages assumed';
  return `the report's Mem-Info: ${listed}${page}`;
}
