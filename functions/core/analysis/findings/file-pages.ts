import { formatKiB } from '../../format/bytes';
import { advice } from '../advice';
import { stated } from '../evidence';
import type { AnalysisFacts } from '../facts';
import { type MemoryPart, partOf } from '../memory-composition';
import type { Advice, FindingDraft } from '../model';
import { breakdownEvidence, breakdownTitle, explains } from './breakdown-evidence';

/**
 * Page cache is reclaimable, so it must hold most of the cgroup before it is the cause: then it is pages reclaim
 * could not free fast enough (dirty, under writeback, mapped and in use).
 */
export const PAGE_CACHE_SHARE = 0.5;
/** Shmem/tmpfs pages cannot be reclaimed without swap: a third of the cgroup, or of the host's RAM, is a finding. */
export const SHMEM_SHARE = 0.3;

/** Page cache filled a memory cgroup: file pages count against a cgroup limit (v1 and v2). From the report only. */
export function pageCache(facts: AnalysisFacts): FindingDraft | null {
  const { composition } = facts;
  if (facts.scope !== 'cgroup' || composition === null) return null;
  const cache = partOf(composition, 'page-cache');
  if (cache === null || cache.share < PAGE_CACHE_SHARE) return null;
  const pending = pendingKb(cache);
  const stuck = pending >= cache.kb * 0.25;
  const evidence = breakdownEvidence(facts, composition, cache);
  if (cache.detail.length > 0) {
    // Dirty or writeback pages cannot be dropped at once: when a quarter is, that too is the kernel's say-so.
    const detail = `of the page cache: ${cache.detail.map((piece) => `${piece.key} ${formatKiB(piece.kb)}`).join(', ')}`;
    evidence.push(stuck ? stated(detail) : explains(detail));
  }
  return {
    family: 'page-cache',
    title: breakdownTitle(
      facts,
      composition,
      cache,
      `${stuck ? ', much of it dirty or under writeback' : ''}: file pages, not ${facts.victim.name}'s own memory, filled the limit`,
    ),
    evidence,
    recommendation: pageCacheAdvice(facts, stuck),
  };
}

/** Shmem/tmpfs filled a memory cgroup or the host: files in memory, freed only when deleted. From the report only. */
export function shmemTmpfs(facts: AnalysisFacts): FindingDraft | null {
  const { composition } = facts;
  if ((facts.scope !== 'cgroup' && facts.scope !== 'host') || composition === null) return null;
  const shmem = partOf(composition, 'shmem');
  if (shmem === null || shmem.share < SHMEM_SHARE) return null;
  const evidence = breakdownEvidence(facts, composition, shmem);
  const unevictable = facts.kill.memcgStats?.unevictableKb ?? facts.kill.memInfo?.unevictableKb ?? null;
  if (composition.scope === 'cgroup' && unevictable !== null && unevictable >= shmem.kb * 0.9) {
    evidence.push(
      stated(
        `unevictable ${formatKiB(unevictable)}: the shmem is locked in memory (SHM_LOCK, mlock, ramfs) and not even swap could take it`,
      ),
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
    evidence,
    recommendation: shmemAdvice(facts),
  };
}

function pendingKb(cache: MemoryPart): number {
  return cache.detail
    .filter((piece) => /dirty|writeback/.test(piece.key))
    .reduce((total, piece) => total + piece.kb, 0);
}

/** The point first (Slack shows a next step's first 300 characters), then where to look and what to change. */
function pageCacheAdvice(facts: AnalysisFacts, stuck: boolean): Advice {
  const memcg = facts.kill.oomMemcg ?? facts.kill.taskMemcg ?? '/<its cgroup>';
  const stat =
    facts.kill.memcgStats?.format === 'v2'
      ? `grep -E '^file' /sys/fs/cgroup${memcg}/memory.stat`
      : `grep -E '^total_(cache|dirty|writeback|mapped_file) ' /sys/fs/cgroup/memory${memcg}/memory.stat`;
  const why = stuck
    ? 'A larger limit only delays the next kill while writes outrun the disk: dirty and writeback pages cannot be dropped until written.'
    : 'File pages count against the limit (cgroup v1 and v2) and clean ones are dropped before an OOM: what fills it is files in use (mapped) or written faster than the disk takes them; a larger limit only delays the next kill.';
  return advice(
    `${why} Watch the cgroup's file pages and the disk:`,
    [stat, 'iostat -x 1'],
    'Write in smaller bursts (`fsync`, `O_DIRECT` for large files) and lower `vm.dirty_background_bytes`/`vm.dirty_bytes` so writeback starts sooner.',
  );
}

/** The point first, then how to find the files; Kubernetes' emptyDir first on a Kubernetes node. */
function shmemAdvice(facts: AnalysisFacts): Advice {
  const find = ['df -h -t tmpfs', 'sudo du -xsh /dev/shm/* /run/* 2>/dev/null | sort -h | tail', 'ipcs -m'];
  const after =
    'In a container, `df -h /dev/shm` there. Delete what is stale or size the mount (`--shm-size`, `mount -o remount,size=`).';
  const first =
    facts.scope !== 'cgroup'
      ? 'Tmpfs and shared memory are freed only when deleted: killing processes frees nothing while the files stay.'
      : facts.kubernetes
        ? 'An `emptyDir` with `medium: Memory` (or a `/dev/shm` mount) counts against the container limit: give it a `sizeLimit`; a larger limit only delays the next kill.'
        : 'A larger limit only delays the next kill: tmpfs and shared memory are freed only when deleted, and cannot be paged out without swap.';
  return advice(`${first} Find the files:`, find, after);
}
