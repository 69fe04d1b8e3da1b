import type { MemoryKind } from '../../functions/core/analysis/memory-composition';
import type { Kill } from '../../functions/core/kernel-log';
import { confinedToCgroup, loggedVictims, reportLines } from './kernel-lines';

/**
 * The memory breakdown of a kernel report as a reader takes it from the report's own lines, with small regular
 * expressions of the tests' own (never the parser's memory-stats code): the `Memory cgroup stats for` block, the
 * `kmem:` and `memory: usage` lines, and the global `Mem-Info:` counters.
 */

/** Each log line's kernel message: a journald record's MESSAGE, records joined by `#012` or `\x0a` split apart. */
export function messagesOf(text: string): string[] {
  const lines = text.split('\n');
  const json = lines.some((line) => /"MESSAGE"\s*:\s*"/.test(line));
  const messages = json
    ? lines.flatMap((line) => {
        const m = /"MESSAGE"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(line);
        return m?.[1] ? [JSON.parse(m[1]) as string] : [];
      })
    : lines;
  return messages.flatMap((line) => line.split(/#012|\\x0a|\n/));
}

/** `key value` pairs of a memcg stats block in kB (bytes / 1024; v1's `total_<key>` preferred), or kB tokens summed. */
export interface ReadStats {
  format: 'bytes' | 'kb-tokens';
  kb: Map<string, number>;
}

/** The stats block of a report (its lines from `invoked oom-killer` to the victim), or null when it has none. */
export function readMemcgStats(report: readonly string[]): ReadStats | null {
  const headers = report
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.includes('Memory cgroup stats for '));
  const [first] = headers;
  if (!first) return null;
  const tokens = headers.flatMap(({ line }) => [...line.matchAll(/ ([a-z_]+):(\d+)KB/g)]);
  if (tokens.length > 0) {
    const kb = new Map<string, number>();
    for (const m of tokens) kb.set(m[1] ?? '', (kb.get(m[1] ?? '') ?? 0) + Number(m[2]));
    return { format: 'kb-tokens', kb };
  }
  const own = new Map<string, number>();
  const totals = new Map<string, number>();
  for (const line of report.slice(first.i + 1)) {
    if (line.includes('Tasks state')) break;
    const pair = /(?:^|[\s;\]])([a-z][a-z0-9_]*) (\d+)\s*$/.exec(line);
    if (!pair?.[1]) break;
    const key = pair[1];
    if (key.startsWith('total_')) totals.set(key.slice(6), Number(pair[2]) / 1024);
    else own.set(key, Number(pair[2]) / 1024);
  }
  if (own.size === 0 && totals.size === 0) return null;
  return { format: 'bytes', kb: new Map([...own, ...totals]) };
}

/** `memory: usage NkB` and `kmem: usage NkB` of a cgroup report, in kB. */
export function readUsageLines(report: readonly string[]): { usageKb: number | null; kmemKb: number | null } {
  const joined = report.join('\n');
  const usage = /(?:^|[\s\]:;])memory: usage (\d+)kB/m.exec(joined);
  const kmem = /(?:^|[\s\]:;])kmem: usage (\d+)kB/m.exec(joined);
  return { usageKb: usage ? Number(usage[1]) : null, kmemKb: kmem ? Number(kmem[1]) : null };
}

const MEM_INFO_KEYS = [
  'active_anon',
  'inactive_anon',
  'active_file',
  'inactive_file',
  'shmem',
  'slab_reclaimable',
  'slab_unreclaimable',
  'pagetables',
  'free',
];

/**
 * The global counters after `Mem-Info:` in kB, with the page size the per-node `Node N active_anon:NkB` lines
 * show (4 kB when they are missing), and the report's RAM (`N pages RAM`) in kB.
 */
export function readMemInfo(
  report: readonly string[],
): { kb: Map<string, number>; ramKb: number | null } | null {
  const start = report.findIndex((line) => /Mem-Info:/.test(line));
  if (start < 0) return null;
  const pages = new Map<string, number>();
  let nodeActiveAnonKb = 0;
  let ramPages: number | null = null;
  for (const line of report.slice(start + 1)) {
    const node = /Node \d+ active_anon:(\d+)kB/.exec(line);
    if (node) nodeActiveAnonKb += Number(node[1]);
    const ram = /(\d+) pages RAM/.exec(line);
    if (ram) ramPages = Number(ram[1]);
    for (const m of line.matchAll(/(?:^|[\s;\]])([A-Za-z_]+):(\d+)(?=\s|$)/g)) {
      const key = (m[1] ?? '').toLowerCase();
      if (MEM_INFO_KEYS.includes(key) && !pages.has(key)) pages.set(key, Number(m[2]));
    }
  }
  if (pages.size === 0) return null;
  const activeAnon = pages.get('active_anon');
  const ratio = activeAnon && nodeActiveAnonKb > 0 ? nodeActiveAnonKb / activeAnon : 4;
  const pageKb = [4, 8, 16, 64].find((size) => Math.abs(ratio - size) <= size * 0.02) ?? 4;
  const kb = new Map([...pages].map(([key, n]) => [key, n * pageKb]));
  return { kb, ramKb: ramPages === null ? null : ramPages * pageKb };
}

export interface ExpectedComposition {
  scope: 'cgroup' | 'host';
  totalKb: number;
  parts: Map<MemoryKind, number>;
}

const KERNEL_PIECES = [
  'slab_reclaimable',
  'slab_unreclaimable',
  'kernel_stack',
  'pagetables',
  'percpu',
  'vmalloc',
  'zswap',
];

function setIf(parts: Map<MemoryKind, number>, kind: MemoryKind, kb: number | undefined | null): void {
  if (kb !== undefined && kb !== null) parts.set(kind, kb);
}

/** What a reader of the report says filled the cgroup or the host, or null when the report shows no breakdown. */
export function expectedOf(report: readonly string[]): ExpectedComposition | null {
  if (confinedToCgroup(report)) {
    const stats = readMemcgStats(report);
    if (stats === null) return null;
    const kb = stats.kb;
    const v1 = stats.format === 'kb-tokens' || kb.has('rss') || kb.has('cache');
    const parts = new Map<MemoryKind, number>();
    const file = kb.get(v1 ? 'cache' : 'file');
    setIf(parts, 'anon', kb.get(v1 ? 'rss' : 'anon'));
    setIf(parts, 'page-cache', file === undefined ? null : Math.max(0, file - (kb.get('shmem') ?? 0)));
    setIf(parts, 'shmem', kb.get('shmem'));
    setIf(parts, 'sock', kb.get('sock'));
    const { usageKb, kmemKb } = readUsageLines(report);
    if (v1) setIf(parts, 'kernel', kmemKb);
    else {
      const pieces = KERNEL_PIECES.filter((key) => kb.has(key));
      const sum = pieces.reduce((total, key) => total + (kb.get(key) ?? 0), 0);
      setIf(parts, 'kernel', kb.get('kernel') ?? (pieces.length > 0 ? sum : null));
    }
    const total = usageKb ?? [...parts.values()].reduce((a, b) => a + b, 0);
    return { scope: 'cgroup', totalKb: total, parts };
  }
  if (report.some((line) => /constraint=CONSTRAINT_(?:CPUSET|MEMORY_POLICY)/.test(line))) return null;
  const info = readMemInfo(report);
  if (info === null) return null;
  const kb = (key: string) => info.kb.get(key);
  const parts = new Map<MemoryKind, number>();
  const anonLists = [kb('active_anon'), kb('inactive_anon')];
  if (anonLists.every((value) => value !== undefined)) {
    const lists = (anonLists[0] ?? 0) + (anonLists[1] ?? 0);
    parts.set('anon', Math.max(0, lists - (kb('shmem') ?? 0)));
  }
  const fileLists = [kb('active_file'), kb('inactive_file')];
  if (fileLists.every((value) => value !== undefined))
    parts.set('page-cache', (fileLists[0] ?? 0) + (fileLists[1] ?? 0));
  setIf(parts, 'shmem', kb('shmem'));
  const kernel = ['slab_reclaimable', 'slab_unreclaimable', 'pagetables'].filter((key) => info.kb.has(key));
  if (kernel.length > 0)
    parts.set(
      'kernel',
      kernel.reduce((total, key) => total + (kb(key) ?? 0), 0),
    );
  const total = info.ramKb ?? [...parts.values()].reduce((a, b) => a + b, 0) + (kb('free') ?? 0);
  return { scope: 'host', totalKb: total, parts };
}

/** The reader's filler: half of the total and twice the next part. */
export function expectedDominant(expected: ExpectedComposition): MemoryKind | null {
  const sorted = [...expected.parts].sort((a, b) => b[1] - a[1]);
  const [first, second] = sorted;
  if (!first || first[1] <= 0) return null;
  const clear = first[1] >= expected.totalKb * 0.5 && first[1] >= (second?.[1] ?? 0) * 2;
  return clear ? first[0] : null;
}

/** Each parsed kill beside the lines of its own report, matched by the victim's pid in log order. */
export function killsWithReports(text: string, kills: readonly Kill[]): { kill: Kill; report: string[] }[] {
  const messages = messagesOf(text);
  const victims = loggedVictims(messages);
  const paired: { kill: Kill; report: string[] }[] = [];
  let cursor = 0;
  for (const kill of kills) {
    const at = victims.findIndex((victim, i) => i >= cursor && victim.pid === kill.pid);
    const victim = victims[at];
    if (at < 0 || !victim) continue;
    cursor = at + 1;
    paired.push({ kill, report: reportLines(messages, victim.line) });
  }
  return paired;
}
