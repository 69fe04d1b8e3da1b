import { formatKiB } from '../../format/bytes';
import { advice } from '../advice';
import { measured } from '../evidence';
import type { AnalysisFacts } from '../facts';
import { type MemoryComposition, type MemoryPart, partOf } from '../memory-composition';
import type { Advice, FindingDraft } from '../model';
import { breakdownEvidence, breakdownTitle, explains } from './breakdown-evidence';

/** Kernel memory this share of the cgroup's charge, or of the host's RAM, is a finding: killing a process frees little of it. */
export const KERNEL_SHARE = 0.3;

/**
 * Kernel memory (slab, kernel stacks, page tables, percpu, vmalloc, the zswap pool) filled the cgroup or the host,
 * from the report's own breakdown. It replaces `kernel-slab` (the diagnostics' view) whenever it fires.
 */
export function kernelMemory(facts: AnalysisFacts): FindingDraft | null {
  const found = kernelPartOf(facts);
  if (found === null) return null;
  const { composition, kernel } = found;
  const [largest] = kernel.detail;
  const evidence = breakdownEvidence(facts, composition, kernel);
  if (kernel.detail.length > 0) {
    evidence.push(
      explains(
        `kernel memory by kind: ${kernel.detail.map((piece) => `${piece.key} ${formatKiB(piece.kb)}`).join(', ')}`,
      ),
    );
  }
  const top = facts.diagnostics?.slabTop.slice(0, 3) ?? [];
  if (top.length > 0) {
    evidence.push(
      measured(
        `largest slab caches at diagnosis: ${top.map((c) => `${c.name} ${formatKiB(c.sizeKb)}`).join(', ')}`,
      ),
    );
  }
  const mostly = largest && largest.kb >= kernel.kb * 0.5 ? `, mostly ${largest.key}` : '';
  return {
    family: 'kernel-memory',
    title: breakdownTitle(
      facts,
      composition,
      kernel,
      `${mostly}: not process memory, so killing processes frees little of it`,
    ),
    evidence,
    recommendation: kernelAdvice(facts, largest?.key ?? null),
  };
}

/** The breakdown's kernel part when it is large enough to be a finding (the scope the kill was about). */
function kernelPartOf(facts: AnalysisFacts): { composition: MemoryComposition; kernel: MemoryPart } | null {
  const { composition } = facts;
  if ((facts.scope !== 'cgroup' && facts.scope !== 'host') || composition === null) return null;
  const kernel = partOf(composition, 'kernel');
  if (kernel === null || kernel.share < KERNEL_SHARE) return null;
  return { composition, kernel };
}

const NEXT_BY_KIND: Record<string, string> = {
  slab_unreclaimable:
    "Watch which slab caches grow: `sudo slabtop -o -s c | head -20` (and `/proc/slabinfo` over time). Unreclaimable caches that only grow (kmalloc-*, a driver's or a network cache) point to a kernel or driver leak: update the kernel and drivers, and report it with slabinfo samples if it persists.",
  slab_reclaimable:
    'Watch which slab caches grow: `sudo slabtop -o -s c | head -20`. Reclaimable slab that fills a limit is mostly dentry and inode caches: something creates or looks up huge numbers of files (negative dentries from lookups of missing files are a classic); `vm.vfs_cache_pressure=200` reclaims them sooner.',
  kernel_stack:
    'Kernel stacks are 16 KiB a thread: count the threads (`ps -eLf | wc -l`, or `cat pids.current` of the cgroup) and bound the thread pool that grew; `pids.max` (`TasksMax=` in a unit) caps it.',
  pagetables:
    'Page tables grow with the memory each process maps: many processes each mapping a large region (forked workers over a big heap or shared memory), or huge sparse mappings: `grep VmPTE /proc/[0-9]*/status | sort -k2 -n | tail`. Fewer workers, or huge pages for large mappings, shrink them.',
  percpu:
    'Percpu memory grows with cgroups and network devices created and not freed: `grep nr_dying_descendants /sys/fs/cgroup/cgroup.stat`.',
  vmalloc: 'Find the vmalloc user: `sudo sort -k2 -n /proc/vmallocinfo | tail` (a driver, BPF maps).',
  zswap:
    'The zswap pool (compressed swapped-out pages) is charged as kernel memory: cap it per cgroup with `memory.zswap.max`, or let the cgroup swap to disk.',
};

function kernelAdvice(facts: AnalysisFacts, largest: string | null): Advice {
  const memcg = facts.kill.oomMemcg ?? facts.kill.taskMemcg;
  const stat =
    facts.scope === 'cgroup' && memcg
      ? facts.kill.memcgStats?.format === 'v2'
        ? `\`cat /sys/fs/cgroup${memcg}/memory.stat\` (kernel, slab, kernel_stack, pagetables, percpu, sock lines)`
        : `\`cat /sys/fs/cgroup/memory${memcg}/memory.kmem.usage_in_bytes\` and its \`memory.kmem.slabinfo\``
      : "`grep -E 'Slab|SUnreclaim|KernelStack|PageTables|Percpu|VmallocUsed' /proc/meminfo`";
  const next =
    NEXT_BY_KIND[largest ?? ''] ??
    'See which kind grows: `sudo slabtop -o -s c | head -20`, threads (`ps -eLf | wc -l`), page tables (`grep VmPTE /proc/[0-9]*/status`).';
  const first =
    facts.scope === 'cgroup'
      ? 'A larger limit only delays the next kill: this is kernel memory, not process memory.'
      : 'Killing processes frees little: this is kernel memory, not process memory.';
  return advice(`${first} ${next} Where it is charged: ${stat}.`);
}
