import { formatKiB } from '../format/bytes';
import type { MemoryComposition, MemoryKind, MemoryPart } from './memory-composition';
import { percent } from './text';

/** How a part is named: in full when it filled the memory, short in the list of the rest. */
export const KIND_NAMES: Record<MemoryKind, { full: string; short: string }> = {
  anon: { full: 'anonymous memory', short: 'anon' },
  'page-cache': { full: 'page cache', short: 'page cache' },
  shmem: { full: 'shmem/tmpfs', short: 'shmem/tmpfs' },
  sock: { full: 'socket buffers', short: 'socket buffers' },
  kernel: { full: 'kernel memory', short: 'kernel' },
};

/** The other parts named after the filler: the largest few, slivers (under 1% of the whole) left out. */
const OTHERS_SHOWN = 3;

/** `of 203 MiB charged`, `of 8.0 GiB RAM`, `of 203 MiB counted`. */
export function totalPhrase(composition: Pick<MemoryComposition, 'totalKb' | 'totalKind'>): string {
  const what = { charged: 'charged', ram: 'RAM', parts: 'counted' }[composition.totalKind];
  return `of ${formatKiB(composition.totalKb)} ${what}`;
}

/**
 * "Which memory filled it" in one line: `Filled by socket buffers: 175 MiB of 203 MiB charged (86%); anon
 * 27 MiB, kernel 1.3 MiB`, or, when no part dominates, each part with its share.
 */
export function compositionLine(composition: Omit<MemoryComposition, 'line'>): string {
  const { dominant, parts, totalKb, freeKb } = composition;
  const free = freeKb === null ? '' : `; free ${formatKiB(freeKb)}`;
  const unstated = unstatedNote(composition);
  const visible = parts.filter((part) => part.kb > 0 && part.kb >= totalKb * 0.01);
  if (dominant) {
    const rest = visible.filter((part) => part !== dominant).slice(0, OTHERS_SHOWN);
    const others = rest.length > 0 ? `; ${rest.map(shortSize).join(', ')}` : '';
    return `Filled by ${KIND_NAMES[dominant.kind].full}: ${formatKiB(dominant.kb)} ${totalPhrase(composition)} (${percent(dominant.kb, totalKb)})${mostOf(dominant)}${others}${free}${unstated}`;
  }
  const listed = (visible.length > 0 ? visible : parts).slice(0, OTHERS_SHOWN + 1);
  const shares = listed.map((part) => `${shortSize(part)} (${percent(part.kb, totalKb)})`).join(', ');
  return `No single kind of memory filled it: ${shares} ${totalPhrase(composition)}${free}${unstated}`;
}

/**
 * `; 16 MiB of the usage not in the stats`: the usage and the stats block are read a moment apart, and pages of
 * a task that is exiting are uncharged in between; a quarter or more missing is said, not hidden.
 */
function unstatedNote(composition: Omit<MemoryComposition, 'line'>): string {
  if (composition.totalKind !== 'charged') return '';
  const listed = composition.parts.reduce((total, part) => total + part.kb, 0);
  const missing = composition.totalKb - listed;
  return missing >= composition.totalKb * 0.25 ? `; ${formatKiB(missing)} of the usage not in the stats` : '';
}

function shortSize(part: MemoryPart): string {
  return `${KIND_NAMES[part.kind].short} ${formatKiB(part.kb)}`;
}

/** `, slab_unreclaimable 175 MiB of it`: the piece that made most of the filler, when one made a tenth or more. */
function mostOf(part: MemoryPart): string {
  // The mapped share of the page cache is not why it could not be reclaimed: dirty or writeback pages are.
  const [largest] = part.detail.filter((piece) => !MAPPED_KEYS.has(piece.key));
  if (!largest || largest.kb <= 0 || largest.kb < part.kb * 0.1) return '';
  return `, ${largest.key} ${formatKiB(largest.kb)} of it`;
}

const MAPPED_KEYS = new Set(['file_mapped', 'mapped_file', 'mapped']);
