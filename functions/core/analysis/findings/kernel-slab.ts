import { formatKiB } from '../../format/bytes';
import { prose } from '../advice';
import { context, type Evidence, inferred, measured } from '../evidence';
import type { AnalysisFacts } from '../facts';
import type { FindingDraft } from '../model';
import { percent } from '../text';
import { kernelMemory } from './kernel-memory';

const FS_CACHE =
  /^(?:dentry|inode_cache|ext4_inode|xfs_inode|proc_inode|shmem_inode|radix_tree_node|buffer_head)/;

/**
 * Kernel memory (slab) that grew until user space had too little: unreclaimable slab is memory the OOM killer
 * cannot free by killing any process, so killing will not help for long. From the diagnostics' /proc/meminfo and
 * slabtop (guessing from how little the task table holds misleads whenever the log lost some of its rows). Silent
 * when the report's own breakdown shows kernel memory filled it (`kernel-memory`, which quotes the same slab
 * caches): one finding, said once.
 */
export function kernelSlab(facts: AnalysisFacts): FindingDraft | null {
  const { diagnostics, ramKb } = facts;
  if (ramKb === null || facts.scope === 'oomd') return null;
  if (!diagnostics) return null;
  if (kernelMemory(facts) !== null) return null;
  const { slabKb, sUnreclaimKb, sReclaimableKb } = diagnostics.memory;
  const unreclaimable = sUnreclaimKb ?? 0;
  const large = slabKb !== null && slabKb >= ramKb * 0.4 && facts.scope === 'host';
  if (unreclaimable < ramKb * 0.15 && !large) return null;
  const total = slabKb ?? unreclaimable + (sReclaimableKb ?? 0);
  const evidence: Evidence[] = [
    measured(
      `Slab ${formatKiB(total)} (${percent(total, ramKb)} of ${formatKiB(ramKb)} RAM): SUnreclaim ${formatKiB(unreclaimable)}${sReclaimableKb === null ? '' : `, SReclaimable ${formatKiB(sReclaimableKb)}`}`,
    ),
  ];
  if (unreclaimable >= ramKb * 0.15) {
    evidence.push(
      measured(`SUnreclaim alone is ${percent(unreclaimable, ramKb)} of RAM: no process kill can free it`),
    );
  }
  if (unreclaimable >= ramKb * 0.3) {
    evidence.push(inferred('so much unreclaimable slab is more than any normal workload keeps'));
  }
  const top = diagnostics.slabTop.slice(0, 3);
  if (top.length > 0)
    evidence.push(
      context(`largest caches: ${top.map((c) => `${c.name} ${formatKiB(c.sizeKb)}`).join(', ')}`),
    );
  return {
    family: 'kernel-slab',
    title: `Kernel slab memory is ${formatKiB(total)}, ${percent(total, ramKb)} of RAM${unreclaimable >= ramKb * 0.15 ? ', mostly unreclaimable' : ''}`,
    evidence,
    recommendation: prose(advice(top[0]?.name ?? null)),
  };
}

function advice(largestCache: string | null): string {
  const look = 'Watch which caches grow: `sudo slabtop -o -s c | head -20` (and `/proc/slabinfo` over time).';
  if (largestCache && FS_CACHE.test(largestCache)) {
    return `${look} ${largestCache} is a file-system cache, reclaimable in principle: something creates or looks up huge numbers of files (negative dentries from lookups of missing files are a classic). Fix that workload; \`vm.vfs_cache_pressure=200\` makes the kernel reclaim these caches sooner.`;
  }
  return `${look} Unreclaimable caches that only grow (kmalloc-*, a driver's or a network cache) point to a kernel or driver leak: update the kernel and the drivers (ENA, NVMe) and report it with slabinfo samples if it persists; a reboot returns the memory meanwhile.`;
}
