import { formatKiB } from '../../format/bytes';
import type { AnalysisFacts } from '../facts';
import { type MemoryPart, partOf } from '../memory-composition';
import type { Finding } from '../model';
import { breakdownEvidence, breakdownTitle } from './breakdown-evidence';

/**
 * Page cache is reclaimable, so it must hold most of the cgroup before it is the cause: then it is pages reclaim
 * could not free fast enough (dirty, under writeback, mapped and in use).
 */
export const PAGE_CACHE_SHARE = 0.5;
/** Shmem/tmpfs pages cannot be reclaimed without swap: a third of the cgroup, or of the host's RAM, is a finding. */
export const SHMEM_SHARE = 0.3;

/** Page cache filled a memory cgroup: file pages count against a cgroup limit (v1 and v2). From the report only. */
export function pageCache(facts: AnalysisFacts): Finding | null {
  const { composition } = facts;
  if (facts.scope !== 'cgroup' || composition === null) return null;
  const cache = partOf(composition, 'page-cache');
  if (cache === null || cache.share < PAGE_CACHE_SHARE) return null;
  const pending = pendingKb(cache);
  const stuck = pending >= cache.kb * 0.25;
  const evidence = breakdownEvidence(facts, composition);
  if (cache.detail.length > 0) {
    evidence.push(
      `of the page cache: ${cache.detail.map((piece) => `${piece.key} ${formatKiB(piece.kb)}`).join(', ')}`,
    );
  }
  return {
    family: 'page-cache',
    title: breakdownTitle(
      facts,
      composition,
      cache,
      `${stuck ? ', much of it dirty or under writeback' : ''}: file pages, not ${facts.victim.name}'s own memory, filled the limit`,
    ),
    confidence: Math.min(0.85, 0.4 + 0.4 * cache.share + (stuck ? 0.1 : 0)),
    evidence,
    recommendation: pageCacheAdvice(facts, stuck),
  };
}

/** Shmem/tmpfs filled a memory cgroup or the host: files in memory, freed only when deleted. From the report only. */
export function shmemTmpfs(facts: AnalysisFacts): Finding | null {
  const { composition } = facts;
  if ((facts.scope !== 'cgroup' && facts.scope !== 'host') || composition === null) return null;
  const shmem = partOf(composition, 'shmem');
  if (shmem === null || shmem.share < SHMEM_SHARE) return null;
  const evidence = breakdownEvidence(facts, composition);
  const unevictable = facts.kill.memcgStats?.unevictableKb ?? facts.kill.memInfo?.unevictableKb ?? null;
  if (composition.scope === 'cgroup' && unevictable !== null && unevictable >= shmem.kb * 0.9) {
    evidence.push(
      `unevictable ${formatKiB(unevictable)}: the shmem is locked in memory (SHM_LOCK, mlock, ramfs) and not even swap could take it`,
    );
  }
  return {
    family: 'shmem-tmpfs',
    title: breakdownTitle(
      facts,
      composition,
      shmem,
      ': files kept in memory (/dev/shm, tmpfs, shared memory), which only deleting them frees',
    ),
    confidence: Math.min(0.9, 0.45 + 0.45 * shmem.share),
    evidence,
    recommendation: shmemAdvice(facts),
  };
}

function pendingKb(cache: MemoryPart): number {
  return cache.detail
    .filter((piece) => /dirty|writeback/.test(piece.key))
    .reduce((total, piece) => total + piece.kb, 0);
}

function pageCacheAdvice(facts: AnalysisFacts, stuck: boolean): string {
  const memcg = facts.kill.oomMemcg ?? facts.kill.taskMemcg ?? '/<its cgroup>';
  const stat =
    facts.kill.memcgStats?.format === 'v2'
      ? `grep -E '^(file|file_dirty|file_writeback|file_mapped) ' /sys/fs/cgroup${memcg}/memory.stat`
      : `grep -E '^total_(cache|dirty|writeback|mapped_file) ' /sys/fs/cgroup/memory${memcg}/memory.stat`;
  const why = stuck
    ? 'Here much of it was dirty or under writeback: the writes outran the disk (or a network file system), and those pages cannot be dropped until written.'
    : 'Clean page cache is dropped before an OOM: what fills a limit is pages in use (files mapped and touched) or written faster than the disk takes them.';
  return [
    `File pages read or written by the cgroup count against its limit (cgroup v2 \`memory.max\`, v1 \`memory.limit_in_bytes\`). ${why}`,
    `Watch it: \`${stat}\` and the disk: \`iostat -x 1\`.`,
    'Write in smaller bursts or with `fsync`, use `O_DIRECT` for large sequential writes, and lower `vm.dirty_bytes`/`vm.dirty_background_bytes` so writeback starts sooner.',
    'Raising the limit only delays the next kill while writes outrun the disk.',
  ].join(' ');
}

function shmemAdvice(facts: AnalysisFacts): string {
  const k8s =
    'In Kubernetes an `emptyDir` with `medium: Memory` (and `/dev/shm` mounts) counts against the container limit: give it a `sizeLimit`.';
  const steps = [
    'Find the files: `df -h -t tmpfs` (in a container, `df -h /dev/shm`), then `sudo du -xsh /dev/shm/* /run/* /tmp/* 2>/dev/null | sort -h | tail`; shared memory segments: `ipcs -m`.',
    'Tmpfs and shared memory pages are freed only when the file is deleted (and no process maps it), and without swap they cannot be paged out: killing processes frees nothing while the files stay.',
    'Delete what is stale, size the mount (`mount -o remount,size=...`, `--shm-size` for docker), or move big files to disk.',
  ];
  if (facts.kubernetes) steps.splice(1, 0, k8s);
  if (facts.scope === 'cgroup') steps.push('Raising the memory limit only delays the next kill.');
  return steps.join(' ');
}
