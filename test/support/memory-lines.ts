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
