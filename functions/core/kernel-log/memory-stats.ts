import { digitsEnd, isWhitespace } from './scan';
import type { MemcgStats, MemInfo } from './types';

/**
 * The two memory breakdowns of an OOM report, read line by line: the OOM memcg's `Memory cgroup stats for
 * <path>:` block (mm/memcontrol.c) and the global `Mem-Info:` counters (mm/show_mem.c). The kernel prints both
 * as one record with embedded newlines on some versions and as one record per line on others, so a block's
 * lines arrive as separate lines (dmesg, indented continuations, journald text), or joined in one line by
 * rsyslog's `#012` or `/dev/kmsg`'s `\x0a`: every reader here takes any of those as a separator.
 */

type MemcgSizeField = Exclude<keyof MemcgStats, 'memcg' | 'format' | 'blocks'>;
type MemInfoField = Exclude<keyof MemInfo, 'pageKb' | 'pageKbFromReport'>;

/**
 * The kernel's keys, v2 names (`memory_stats[]`) and their v1 counterparts (`memcg1_stat_names[]`, the LRU
 * names): both count the same page states (`rss` and `anon` are NR_ANON_MAPPED, `cache` and `file`
 * NR_FILE_PAGES), so one field serves both hierarchies.
 */
const MEMCG_FIELDS: ReadonlyMap<string, MemcgSizeField> = new Map<string, MemcgSizeField>([
  ['anon', 'anonKb'],
  ['rss', 'anonKb'],
  ['file', 'fileKb'],
  ['cache', 'fileKb'],
  ['shmem', 'shmemKb'],
  ['file_mapped', 'fileMappedKb'],
  ['mapped_file', 'fileMappedKb'],
  ['file_dirty', 'fileDirtyKb'],
  ['dirty', 'fileDirtyKb'],
  ['file_writeback', 'fileWritebackKb'],
  ['writeback', 'fileWritebackKb'],
  ['anon_thp', 'anonThpKb'],
  ['rss_huge', 'anonThpKb'],
  ['swap', 'swapKb'],
  ['swapcached', 'swapCachedKb'],
  ['active_anon', 'activeAnonKb'],
  ['inactive_anon', 'inactiveAnonKb'],
  ['active_file', 'activeFileKb'],
  ['inactive_file', 'inactiveFileKb'],
  ['unevictable', 'unevictableKb'],
  ['kernel', 'kernelKb'],
  ['kernel_stack', 'kernelStackKb'],
  ['pagetables', 'pagetablesKb'],
  ['percpu', 'percpuKb'],
  ['sock', 'sockKb'],
  ['vmalloc', 'vmallocKb'],
  ['slab_reclaimable', 'slabReclaimableKb'],
  ['slab_unreclaimable', 'slabUnreclaimableKb'],
  ['zswap', 'zswapKb'],
  ['zswapped', 'zswappedKb'],
  ['hierarchical_memory_limit', 'hierarchicalMemoryLimitKb'],
  ['hierarchical_memsw_limit', 'hierarchicalMemswLimitKb'],
]);

/** Keys only cgroup v1 prints: a block holding one is v1's, in bytes (or in kB on one line, on older kernels). */
const V1_ONLY_KEYS = new Set(['cache', 'rss', 'rss_huge', 'mapped_file', 'hierarchical_memory_limit']);

const MEM_INFO_FIELDS: ReadonlyMap<string, MemInfoField> = new Map<string, MemInfoField>([
  ['active_anon', 'activeAnonKb'],
  ['inactive_anon', 'inactiveAnonKb'],
  ['active_file', 'activeFileKb'],
  ['inactive_file', 'inactiveFileKb'],
  ['unevictable', 'unevictableKb'],
  ['dirty', 'dirtyKb'],
  ['writeback', 'writebackKb'],
  ['slab_reclaimable', 'slabReclaimableKb'],
  ['slab_unreclaimable', 'slabUnreclaimableKb'],
  ['mapped', 'mappedKb'],
  ['shmem', 'shmemKb'],
  ['pagetables', 'pagetablesKb'],
  ['free', 'freeKb'],
]);

/** The LRU lists both the per-node `Node N ...kB` lines and the global page counts print: they give the page size. */
const LRU_KEYS = ['active_anon', 'inactive_anon', 'active_file', 'inactive_file', 'unevictable'] as const;
/** Page sizes Linux runs with on AWS and elsewhere (x86-64 4 kB; arm64 4, 16 or 64 kB; ppc64 64 kB). */
const PAGE_SIZES_KB = [4, 8, 16, 64] as const;
/** A block line longer than this is no kernel output (v2's whole memory.stat is about 2 kB). */
const MAX_BLOCK_LINE = 16_384;

/** One `Memory cgroup stats for` report's figures as they are read; `finish` turns them into the model's shape. */
export class MemcgStatsBuilder {
  private readonly local = new Map<MemcgSizeField, number>();
  /** v1 prints the subtree's totals as `total_<key>`: those are what the limit counts. */
  private readonly totals = new Map<MemcgSizeField, number>();
  private v1 = false;
  private kbTokens = false;
  private blocks = 0;

  constructor(readonly memcg: string) {}

  /**
   * A `Memory cgroup stats for <path>:` header; `rest` is what followed the colon on the same line: older
   * v1 printed each cgroup of the subtree on one line (`cache:32KB rss:507732KB ...`), with its own pages only,
   * so the subtree's figure is the sum of its lines.
   */
  addHeader(rest: string): void {
    this.blocks++;
    if (rest.length > 0) this.addLine(rest);
  }

  /** A line of the block; false when it is none (the block is over). */
  addLine(text: string): boolean {
    if (text.length > MAX_BLOCK_LINE) return false;
    const tokens = tokensOf(text);
    if (tokens.length === 0) return false;
    if (tokens[0]?.includes(':')) return this.addKbTokens(tokens);
    if (tokens.length % 2 !== 0) return false;
    for (let i = 0; i < tokens.length; i += 2) {
      if (!isKey(tokens[i] ?? '') || !isCount(tokens[i + 1] ?? '')) return false;
    }
    for (let i = 0; i < tokens.length; i += 2) this.add(tokens[i] ?? '', Number(tokens[i + 1]) / 1024);
    return true;
  }

  /** `key:NKB` tokens, in kB (`K()` of pages): older v1 kernels, one line per cgroup of the subtree, summed. */
  private addKbTokens(tokens: string[]): boolean {
    const pairs = keyValuePairs(tokens, 'KB');
    if (pairs === null) return false;
    this.kbTokens = true;
    for (const [key, kb] of pairs) {
      const field = MEMCG_FIELDS.get(key);
      if (field) this.local.set(field, (this.local.get(field) ?? 0) + kb);
      if (V1_ONLY_KEYS.has(key)) this.v1 = true;
    }
    return true;
  }

  private add(key: string, kb: number): void {
    const total = key.startsWith('total_');
    const field = MEMCG_FIELDS.get(total ? key.slice(6) : key);
    if (V1_ONLY_KEYS.has(key)) this.v1 = true;
    if (!field) return;
    (total ? this.totals : this.local).set(field, kb);
  }

  finish(): MemcgStats | null {
    if (this.local.size === 0 && this.totals.size === 0) return null;
    const stats = emptyMemcgStats(this.memcg, this.kbTokens ? 'v1-kb' : this.v1 ? 'v1' : 'v2', this.blocks);
    for (const [field, kb] of this.local) stats[field] = kb;
    for (const [field, kb] of this.totals) stats[field] = kb;
    return stats;
  }
}

/** The global `Mem-Info:` counters (pages) and the per-node `Node N active_anon:NkB ...` lines (kB). */
export class MemInfoBuilder {
  private readonly pages = new Map<MemInfoField, number>();
  private readonly lruPages = new Map<string, number>();
  private readonly nodeLruKb = new Map<string, number>();

  /** A line of `key:N` page counts (`active_anon:8 inactive_anon:117930 isolated_anon:0 ...`); false if none. */
  addLine(text: string): boolean {
    if (text.length > MAX_BLOCK_LINE) return false;
    // 2.6.28 to 2.6.31 capitalized the first key: `Active_anon:211446 active_file:34553 inactive_anon:102677`.
    const line = text.startsWith('Active_anon:') ? `a${text.slice(1)}` : text;
    const pairs = keyValuePairs(tokensOf(line), '');
    if (pairs === null) return false;
    for (const [key, value] of pairs) {
      const field = MEM_INFO_FIELDS.get(key);
      if (field) this.pages.set(field, value);
      if ((LRU_KEYS as readonly string[]).includes(key)) this.lruPages.set(key, value);
    }
    return true;
  }

  /** `Node 0 active_anon:2684464kB inactive_anon:542456kB ...` (4.8+): the same lists in kB, per node. */
  addNodeLine(text: string): void {
    if (text.length > MAX_BLOCK_LINE) return;
    for (const token of tokensOf(text)) {
      const colon = token.indexOf(':');
      if (colon < 1 || !token.endsWith('kB')) continue;
      const key = token.slice(0, colon);
      if (!(LRU_KEYS as readonly string[]).includes(key)) continue;
      const digits = token.slice(colon + 1, -2);
      if (isCount(digits)) this.nodeLruKb.set(key, (this.nodeLruKb.get(key) ?? 0) + Number(digits));
    }
  }

  finish(): MemInfo | null {
    if (this.pages.size === 0) return null;
    const measured = this.pageKbOfReport();
    const pageKb = measured ?? 4;
    const info = emptyMemInfo(pageKb, measured !== null);
    for (const [field, pages] of this.pages) info[field] = pages * pageKb;
    return info;
  }

  /**
   * The page size the report itself shows: the nodes' LRU lists in kB against the global lists in pages.
   * The two are read a moment apart, so the ratio is matched to the nearest real page size within 2%.
   */
  private pageKbOfReport(): number | null {
    let kb = 0;
    let pages = 0;
    for (const key of LRU_KEYS) {
      const nodeKb = this.nodeLruKb.get(key);
      const globalPages = this.lruPages.get(key);
      if (nodeKb === undefined || globalPages === undefined) continue;
      kb += nodeKb;
      pages += globalPages;
    }
    if (pages === 0) return null;
    const ratio = kb / pages;
    return PAGE_SIZES_KB.find((size) => Math.abs(ratio - size) <= size * 0.02) ?? null;
  }
}

/** `key:N` tokens as pairs (`suffix` after the digits, e.g. `kB`), or null when any token is something else. */
function keyValuePairs(tokens: string[], suffix: string): [string, number][] | null {
  if (tokens.length === 0) return null;
  const pairs: [string, number][] = [];
  for (const token of tokens) {
    const colon = token.indexOf(':');
    if (colon < 1 || !token.endsWith(suffix)) return null;
    const key = token.slice(0, colon);
    const digits = token.slice(colon + 1, token.length - suffix.length);
    if (!isKey(key) || !isCount(digits)) return null;
    pairs.push([key, Number(digits)]);
  }
  return pairs;
}

/** Words split at whitespace, rsyslog's `#012` and `/dev/kmsg`'s `\x0a` (an embedded newline, escaped). */
function tokensOf(text: string): string[] {
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    let skip = 0;
    if (isWhitespace(c)) skip = 1;
    else if (c === 35 /* # */ && text.startsWith('#012', i)) skip = 4;
    else if (c === 92 /* \ */ && text.startsWith('\\x0a', i)) skip = 4;
    if (skip === 0) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) tokens.push(text.slice(start, i));
    start = -1;
    i += skip - 1;
  }
  return tokens;
}

/** A kernel stat name: lower-case letters, digits and `_`, starting with a letter. */
function isKey(text: string): boolean {
  if (text.length === 0 || text.length > 64) return false;
  const first = text.charCodeAt(0);
  if (first < 97 || first > 122) return false;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

function isCount(text: string): boolean {
  return text.length > 0 && text.length <= 20 && digitsEnd(text, 0, 20) === text.length;
}

function emptyMemcgStats(memcg: string, format: MemcgStats['format'], blocks: number): MemcgStats {
  return {
    memcg,
    format,
    blocks,
    anonKb: null,
    fileKb: null,
    shmemKb: null,
    fileMappedKb: null,
    fileDirtyKb: null,
    fileWritebackKb: null,
    anonThpKb: null,
    swapKb: null,
    swapCachedKb: null,
    activeAnonKb: null,
    inactiveAnonKb: null,
    activeFileKb: null,
    inactiveFileKb: null,
    unevictableKb: null,
    kernelKb: null,
    kernelStackKb: null,
    pagetablesKb: null,
    percpuKb: null,
    sockKb: null,
    vmallocKb: null,
    slabReclaimableKb: null,
    slabUnreclaimableKb: null,
    zswapKb: null,
    zswappedKb: null,
    hierarchicalMemoryLimitKb: null,
    hierarchicalMemswLimitKb: null,
  };
}

function emptyMemInfo(pageKb: number, pageKbFromReport: boolean): MemInfo {
  return {
    pageKb,
    pageKbFromReport,
    activeAnonKb: null,
    inactiveAnonKb: null,
    activeFileKb: null,
    inactiveFileKb: null,
    unevictableKb: null,
    dirtyKb: null,
    writebackKb: null,
    slabReclaimableKb: null,
    slabUnreclaimableKb: null,
    mappedKb: null,
    shmemKb: null,
    pagetablesKb: null,
    freeKb: null,
  };
}
