import type { JvmInfo } from '../../diagnostics/model';
import { formatKiB } from '../../format/bytes';
import { prose } from '../advice';
import { context, type Evidence, inferred, measured, stated } from '../evidence';
import type { AnalysisFacts } from '../facts';
import type { FindingDraft } from '../model';
import { bytesToKiB, configSize, count } from '../text';
import { victimLines } from './tasks';

/** What the heap must fit in: the cgroup limit when a JVM was the one killed in it, else the host's RAM. */
interface Ceiling {
  kb: number;
  label: string;
  cgroup: boolean;
}

interface Heap {
  jvm: JvmInfo;
  kb: number;
  /** `-Xmx 6.0 GiB` or `-XX:MaxRAMPercentage=95 (heap up to 3.8 GiB)` */
  flag: string;
}

/**
 * A JVM whose maximum heap does not fit where it runs: above the cgroup limit or the host's RAM, several heaps
 * that together exceed RAM, or a heap so close to the limit that metaspace, thread stacks, the code cache and
 * direct buffers push the process over. Needs the diagnostics (the kill does not print JVM flags).
 */
export function jvmHeap(facts: AnalysisFacts): FindingDraft | null {
  const jvms = facts.diagnostics?.jvms ?? [];
  const ceiling = ceilingOf(facts);
  if (jvms.length === 0 || ceiling === null) return null;
  const heaps = jvms.map((jvm) => heapOf(jvm, ceiling)).filter((heap): heap is Heap => heap !== null);
  heaps.sort((a, b) => b.kb - a.kb || a.jvm.pid - b.jvm.pid);
  const involved = javaInvolved(facts, jvms);
  const largest = heaps[0];
  if (!largest) return null;
  if (largest.kb > ceiling.kb) {
    return finding(
      facts,
      ceiling,
      [largest],
      involved,
      `java's heap (${largest.flag}, pid ${largest.jvm.pid}) is larger than ${ceiling.label}`,
      inferred(`a heap allowed to grow past ${ceiling.label} is killed once it uses what it is allowed`),
    );
  }
  const totalKb = heaps.reduce((sum, heap) => sum + heap.kb, 0);
  if (!ceiling.cgroup && heaps.length > 1 && totalKb > ceiling.kb) {
    const title = `${count(heaps.length, 'JVM')} may grow their heaps to ${formatKiB(totalKb)} together, more than ${ceiling.label}`;
    return finding(
      facts,
      ceiling,
      heaps,
      involved,
      title,
      inferred(`together the heaps may take ${formatKiB(totalKb)}, more than ${ceiling.label}`),
    );
  }
  if (largest.kb > ceiling.kb * 0.9) {
    const title = `java's heap (${largest.flag}, pid ${largest.jvm.pid}) leaves no room in ${ceiling.label} for the JVM's off-heap memory`;
    // No arithmetic proof here, only a margin thinner than the JVM's off-heap memory usually needs.
    return finding(facts, ceiling, [largest], involved, title, null);
  }
  return null;
}

function ceilingOf(facts: AnalysisFacts): Ceiling | null {
  const { limit, ramKb, diagnostics } = facts;
  if (limit && javaInvolved(facts, diagnostics?.jvms ?? [])) {
    return { kb: limit.limitKb, label: `the ${formatKiB(limit.limitKb)} cgroup limit`, cgroup: true };
  }
  return ramKb === null ? null : { kb: ramKb, label: `the host's ${formatKiB(ramKb)} RAM`, cgroup: false };
}

function heapOf(jvm: JvmInfo, ceiling: Ceiling): Heap | null {
  if (jvm.maxHeapBytes !== null) {
    const kb = bytesToKiB(jvm.maxHeapBytes);
    return { jvm, kb, flag: `-Xmx ${formatKiB(kb)}` };
  }
  if (jvm.maxRamPercentage !== null) {
    // The JVM applies the percentage to the container limit when it has one, else to RAM: the same ceiling.
    const kb = (ceiling.kb * jvm.maxRamPercentage) / 100;
    return { jvm, kb, flag: `-XX:MaxRAMPercentage=${jvm.maxRamPercentage}, heap up to ${formatKiB(kb)}` };
  }
  return null;
}

function javaInvolved(facts: AnalysisFacts, jvms: readonly JvmInfo[]): boolean {
  const pids = [facts.victim.pid, facts.trigger?.pid ?? null];
  const names = [facts.victim.name, facts.trigger?.name ?? null];
  return names.includes('java') || jvms.some((jvm) => pids.includes(jvm.pid));
}

function finding(
  facts: AnalysisFacts,
  ceiling: Ceiling,
  heaps: Heap[],
  involved: boolean,
  title: string,
  overflow: Evidence | null,
): FindingDraft {
  // The heaps are one measurement (the JVMs' flags, read once), however many JVMs it lists.
  const evidence: Evidence[] = heaps.map((heap, i) => {
    const rss = heap.jvm.rssKb === null ? '' : `, RSS now ${formatKiB(heap.jvm.rssKb)}`;
    const line = `JVM pid ${heap.jvm.pid}: ${heap.flag}${rss}`;
    return i === 0 ? measured(line) : context(line);
  });
  const limit = facts.limit;
  if (ceiling.cgroup && limit) {
    const usage = limit.usageKb === null ? '' : `, usage ${formatKiB(limit.usageKb)}`;
    const line = `cgroup limit ${formatKiB(limit.limitKb)}${usage} (${limit.source})`;
    evidence.push(limit.source === 'kernel report' ? stated(line) : measured(line));
  } else {
    const line = `host RAM ${formatKiB(ceiling.kb)}`;
    evidence.push(ramMeasured(facts) ? measured(line) : stated(line));
  }
  if (overflow) evidence.push(overflow);
  // A JVM that was the victim (or asked for the memory) ties the heap to this kill; otherwise it is a risk nearby.
  evidence.push(...victimLines(facts, involved ? 'kernel' : 'context'));
  return {
    family: 'jvm-heap-oversized',
    title,
    evidence,
    recommendation: prose(advice(facts, ceiling, heaps.length)),
  };
}

/** The RAM figure is the diagnostics' MemTotal when they have one (see `gatherFacts`), else the report's. */
function ramMeasured(facts: AnalysisFacts): boolean {
  return (facts.diagnostics?.memory.totalKb ?? null) !== null;
}

function advice(facts: AnalysisFacts, ceiling: Ceiling, jvmCount: number): string {
  const budgetKb = ceiling.kb * 0.75;
  const rest =
    'The other quarter holds metaspace, thread stacks, the code cache and direct buffers (`-XX:NativeMemoryTracking=summary`, then `jcmd <pid> VM.native_memory summary`, shows them).';
  if (jvmCount > 1) {
    const share = configSize(budgetKb / jvmCount, 'java');
    return `Give each JVM a share so the heaps together stay under about 75% of RAM (${formatKiB(budgetKb)}): e.g. \`-Xmx${share}\` for each of the ${jvmCount}, or fewer JVMs per host. ${rest}`;
  }
  const k8s =
    facts.kubernetes && ceiling.cgroup
      ? ' Or raise `resources.limits.memory` so the heap fits with that margin.'
      : '';
  const xmx = `\`-Xmx${configSize(budgetKb, 'java')}\` (75% of ${formatKiB(ceiling.kb)})`;
  if (ceiling.cgroup) {
    return `Size the heap to about 75% of the limit: ${xmx}, or drop -Xmx and set \`-XX:MaxRAMPercentage=75\` (JDK 8u191+ and 10+) so the heap follows the container limit. ${rest}${k8s}`;
  }
  return `Size the heap to at most about 75% of RAM: ${xmx}, less if other services share the host. ${rest}`;
}
