import { formatKiB } from '../../format/bytes';
import { prose } from '../advice';
import type { AnalysisFacts } from '../facts';
import type { Finding } from '../model';
import { percent } from '../text';

const FS_CACHE =
  /^(?:dentry|inode_cache|ext4_inode|xfs_inode|proc_inode|shmem_inode|radix_tree_node|buffer_head)/;

/**
 * Kernel memory (slab) that grew until user space had too little: unreclaimable slab is memory the OOM killer
 * cannot free by killing any process, so killing will not help for long. From the diagnostics' /proc/meminfo
 * and slabtop only: the kill does not carry the report's slab counters, and guessing from how little the task
 * table holds misleads whenever the log lost some of its rows.
 */
export function kernelSlab(facts: AnalysisFacts): Finding | null {
  const { diagnostics, ramKb } = facts;
  if (ramKb === null || facts.scope === 'oomd') return null;
  if (!diagnostics) return null;
  const { slabKb, sUnreclaimKb, sReclaimableKb } = diagnostics.memory;
  const unreclaimable = sUnreclaimKb ?? 0;
  let confidence = 0;
  if (unreclaimable >= ramKb * 0.3) confidence = 0.8;
  else if (unreclaimable >= ramKb * 0.15) confidence = 0.6;
  else if (slabKb !== null && slabKb >= ramKb * 0.4 && facts.scope === 'host') confidence = 0.4;
  if (confidence === 0) return null;
  const total = slabKb ?? unreclaimable + (sReclaimableKb ?? 0);
  const evidence = [
    `Slab ${formatKiB(total)} (${percent(total, ramKb)} of ${formatKiB(ramKb)} RAM): SUnreclaim ${formatKiB(unreclaimable)}${sReclaimableKb === null ? '' : `, SReclaimable ${formatKiB(sReclaimableKb)}`}`,
  ];
  const top = diagnostics.slabTop.slice(0, 3);
  if (top.length > 0)
    evidence.push(`largest caches: ${top.map((c) => `${c.name} ${formatKiB(c.sizeKb)}`).join(', ')}`);
  return {
    family: 'kernel-slab',
    title: `Kernel slab memory is ${formatKiB(total)}, ${percent(total, ramKb)} of RAM${unreclaimable >= ramKb * 0.15 ? ', mostly unreclaimable' : ''}`,
    confidence,
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
