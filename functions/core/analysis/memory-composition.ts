import type { Kill } from '../kernel-log';
import type { MemcgStats, MemInfo } from '../kernel-log/types';
import { compositionLine } from './memory-composition-line';

/**
 * What filled the memory the kill was about, from the report's own breakdown: the OOM memcg's stats block for a
 * cgroup kill, the global `Mem-Info:` counters for a host-wide one. Pure; null when the report printed no
 * breakdown for that scope (never guessed from the task table or from the diagnostics).
 */
export interface MemoryComposition {
  scope: 'cgroup' | 'host';
  /** The kernel block the figures come from. */
  source: 'memcg stats' | 'Mem-Info';
  /** `v1`, `v1-kb` or `v2` for memcg stats (the key names differ), null for Mem-Info. */
  format: MemcgStats['format'] | null;
  /** The cgroup whose stats these are (`Memory cgroup stats for <path>:`), null for the host. */
  memcg: string | null;
  /**
   * What the shares are of: the cgroup's `memory: usage` (what its limit counts), the host's RAM (`N pages RAM`),
   * or, when the report printed neither, the parts' own sum.
   */
  totalKb: number;
  totalKind: 'charged' | 'ram' | 'parts';
  /** Every part the block printed, largest first. */
  parts: MemoryPart[];
  /** The part that clearly filled it (see `DOMINANT_SHARE`), or null when none did. */
  dominant: MemoryPart | null;
  /** The host's free memory at the kill (Mem-Info `free:`), null for a cgroup. */
  freeKb: number | null;
  /** One line for the message: `Filled by socket buffers: 175 MiB of 203 MiB charged (86%); anon 27 MiB, ...`. */
  line: string;
}

export type MemoryKind = 'anon' | 'page-cache' | 'shmem' | 'sock' | 'kernel';

export interface MemoryPart {
  kind: MemoryKind;
  kb: number;
  /** 0..1 of `totalKb`. */
  share: number;
  /** What the part is made of, as the kernel named it (`slab_unreclaimable`, `file_dirty`), largest first. */
  detail: { key: string; kb: number }[];
}

/**
 * A part "filled it" when it holds half of what was counted and twice the next part: then it, not the rest,
 * decides the fix. Below that the message lists the parts and names none.
 */
export const DOMINANT_SHARE = 0.5;
const DOMINANT_OVER_NEXT = 2;

/** The kill's memory composition, or null when its report printed no breakdown for its scope. */
export function memoryComposition(kill: Kill): MemoryComposition | null {
  if (kill.kind !== 'kernel') return null;
  // A cpuset or mempolicy OOM ran out on some NUMA nodes: the global counters do not say which memory filled them.
  if (kill.constraint === 'CONSTRAINT_CPUSET' || kill.constraint === 'CONSTRAINT_MEMORY_POLICY') return null;
  // A cgroup kill is about what its cgroup held: the host's counters (RHEL 6 prints them too) do not say that.
  if (kill.cgroup) return kill.memcgStats ? cgroupComposition(kill, kill.memcgStats) : null;
  return kill.memInfo ? hostComposition(kill, kill.memInfo) : null;
}

/** The part of one kind, or null when the breakdown has none. */
export function partOf(composition: MemoryComposition | null, kind: MemoryKind): MemoryPart | null {
  return composition?.parts.find((part) => part.kind === kind) ?? null;
}

type RawPart = { kind: MemoryKind; kb: number; detail: { key: string; kb: number }[] };

function cgroupComposition(kill: Kill, stats: MemcgStats): MemoryComposition | null {
  const v1 = stats.format !== 'v2';
  const raw: RawPart[] = [];
  if (stats.anonKb !== null) raw.push({ kind: 'anon', kb: stats.anonKb, detail: [] });
  // `file` (v2) and `cache` (v1) count shmem too (NR_FILE_PAGES): the page cache proper is what is left.
  if (stats.fileKb !== null) {
    const kb = Math.max(0, stats.fileKb - (stats.shmemKb ?? 0));
    raw.push({ kind: 'page-cache', kb, detail: fileDetail(stats, v1) });
  }
  if (stats.shmemKb !== null) raw.push({ kind: 'shmem', kb: stats.shmemKb, detail: [] });
  if (stats.sockKb !== null) raw.push({ kind: 'sock', kb: stats.sockKb, detail: [] });
  const kernel = kernelPart(kill, stats);
  if (kernel) raw.push(kernel);
  if (raw.length === 0) return null;
  const usage = kill.memoryUsageKb;
  const total = usage !== null && usage > 0 ? usage : sum(raw);
  return finish(raw, {
    scope: 'cgroup',
    source: 'memcg stats',
    format: stats.format,
    memcg: stats.memcg,
    totalKb: total,
    totalKind: usage !== null && usage > 0 ? 'charged' : 'parts',
    freeKb: null,
  });
}

/**
 * v2's `kernel` is all kernel memory charged to the cgroup (slab, stacks, page tables, percpu, vmalloc, the zswap
 * pool); kernels before 5.18 print only its pieces, summed here. v1 charges kernel memory to its `kmem:` counter.
 */
function kernelPart(kill: Kill, stats: MemcgStats): RawPart | null {
  const pieces: [string, number | null][] = [
    ['slab_unreclaimable', stats.slabUnreclaimableKb],
    ['slab_reclaimable', stats.slabReclaimableKb],
    ['kernel_stack', stats.kernelStackKb],
    ['pagetables', stats.pagetablesKb],
    ['percpu', stats.percpuKb],
    ['vmalloc', stats.vmallocKb],
    ['zswap', stats.zswapKb],
  ];
  const detail = present(pieces);
  if (stats.format === 'v2') {
    if (stats.kernelKb !== null) return { kind: 'kernel', kb: stats.kernelKb, detail };
    // Before 5.18 the pieces are all there is; zswap (5.19+) is never printed without `kernel`.
    return detail.length > 0 ? { kind: 'kernel', kb: sum(detail), detail } : null;
  }
  return kill.kmemUsageKb === null ? null : { kind: 'kernel', kb: kill.kmemUsageKb, detail: [] };
}

function fileDetail(stats: MemcgStats, v1: boolean): { key: string; kb: number }[] {
  return present([
    [v1 ? 'dirty' : 'file_dirty', stats.fileDirtyKb],
    [v1 ? 'writeback' : 'file_writeback', stats.fileWritebackKb],
    [v1 ? 'mapped_file' : 'file_mapped', stats.fileMappedKb],
  ]);
}

/**
 * The host's RAM by kind. Shmem/tmpfs pages are swap-backed and sit on the anon LRU lists, so anon is the
 * lists less shmem; the file lists are the page cache; slab and page tables are the kernel's (Mem-Info prints no
 * kernel stacks or vmalloc in pages). Mlocked (unevictable) pages are left out: they may be either kind.
 */
function hostComposition(kill: Kill, info: MemInfo): MemoryComposition | null {
  const raw: RawPart[] = [];
  const anonLru = addAll([info.activeAnonKb, info.inactiveAnonKb]);
  if (anonLru !== null)
    raw.push({ kind: 'anon', kb: Math.max(0, anonLru - (info.shmemKb ?? 0)), detail: [] });
  const fileLru = addAll([info.activeFileKb, info.inactiveFileKb]);
  if (fileLru !== null) {
    const detail = present([
      ['dirty', info.dirtyKb],
      ['writeback', info.writebackKb],
      ['mapped', info.mappedKb],
    ]);
    raw.push({ kind: 'page-cache', kb: fileLru, detail });
  }
  if (info.shmemKb !== null) raw.push({ kind: 'shmem', kb: info.shmemKb, detail: [] });
  const kernel = present([
    ['slab_unreclaimable', info.slabUnreclaimableKb],
    ['slab_reclaimable', info.slabReclaimableKb],
    ['pagetables', info.pagetablesKb],
  ]);
  if (kernel.length > 0) raw.push({ kind: 'kernel', kb: sum(kernel), detail: kernel });
  if (raw.length === 0) return null;
  const ramKb = kill.ramPages === null ? null : kill.ramPages * info.pageKb;
  const total = ramKb !== null && ramKb > 0 ? ramKb : sum(raw) + (info.freeKb ?? 0);
  if (total <= 0) return null;
  return finish(raw, {
    scope: 'host',
    source: 'Mem-Info',
    format: null,
    memcg: null,
    totalKb: total,
    totalKind: ramKb !== null && ramKb > 0 ? 'ram' : 'parts',
    freeKb: info.freeKb,
  });
}

function finish(
  raw: RawPart[],
  base: Omit<MemoryComposition, 'parts' | 'dominant' | 'line'>,
): MemoryComposition | null {
  if (base.totalKb <= 0) return null;
  const parts = raw.map((part) => ({ ...part, share: part.kb / base.totalKb })).sort((a, b) => b.kb - a.kb);
  const [first, second] = parts;
  const dominant =
    first !== undefined &&
    first.kb > 0 &&
    first.share >= DOMINANT_SHARE &&
    first.kb >= (second?.kb ?? 0) * DOMINANT_OVER_NEXT
      ? first
      : null;
  const composition = { ...base, parts, dominant, line: '' };
  return { ...composition, line: compositionLine(composition) };
}

/** The pieces the block printed, largest first; those it did not print are left out. */
function present(pieces: [string, number | null][]): { key: string; kb: number }[] {
  return pieces
    .filter((piece): piece is [string, number] => piece[1] !== null)
    .map(([key, kb]) => ({ key, kb }))
    .sort((a, b) => b.kb - a.kb);
}

/** The sum, or null when any is missing: half a pair of LRU lists is no figure. */
function addAll(values: (number | null)[]): number | null {
  return values.some((value) => value === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
}

function sum(items: { kb: number }[]): number {
  return items.reduce((total, item) => total + item.kb, 0);
}
