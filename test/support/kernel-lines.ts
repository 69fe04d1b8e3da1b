/**
 * What a reader takes from a kernel log's own lines, read with small regexes of the tests' own (never with the
 * parser), so a message can be checked against the report it came from.
 */

/** A victim the log names: a `Killed process` line, a lone `oom-kill:` line, or a systemd-oomd kill. */
export interface LoggedVictim {
  /** `pid:123` for a kernel kill, `unit:/x.slice/y.service` for systemd-oomd: one per killed task or cgroup. */
  key: string;
  /** The kernel's comm, or the basename of the cgroup systemd-oomd killed. */
  name: string;
  pid: number | null;
  /** Index of the line that names it (its first line, for a victim printed twice). */
  line: number;
  /** anon-rss + file-rss + shmem-rss of its `Killed process` line (kB), null when the line printed none. */
  rssKb: number | null;
}

const KILLED = /Killed process (\d+)(?:, UID \d+,)? \((.+?)\)(?=\s+(?:total-vm|vsz)|, UID|,|\.?\s*$|\\n|")/;
const OOM_KILL = /oom-kill:constraint=[^,]*,.*?\btask=(.*?),pid=(\d+)/;
const OOMD = /systemd-oomd\[\d+\]: (?:Killed|Marked) (\/\S+) (?:for killing )?due to/;

/** Every victim of the log, each once, in the order the log first names them. */
export function loggedVictims(lines: readonly string[]): LoggedVictim[] {
  const victims = new Map<string, LoggedVictim>();
  const lone: LoggedVictim[] = [];
  lines.forEach((text, line) => {
    const killed = KILLED.exec(text);
    if (killed) {
      const pid = Number(killed[1]);
      const key = `pid:${pid}`;
      if (!victims.has(key))
        victims.set(key, { key, name: killed[2] ?? '', pid, line, rssKb: killedRssKb(text) });
      return;
    }
    const summary = OOM_KILL.exec(text);
    if (summary) {
      const pid = Number(summary[2]);
      lone.push({ key: `pid:${pid}`, name: summary[1] ?? '', pid, line, rssKb: null });
      return;
    }
    const oomd = OOMD.exec(text);
    if (oomd) {
      const path = oomd[1] ?? '';
      const key = `unit:${path}`;
      if (!victims.has(key))
        victims.set(key, { key, name: path.split('/').pop() ?? path, pid: null, line, rssKb: null });
    }
  });
  // The kernel prints `oom-kill:` just before its `Killed process` line: alone, it is the kill (its report was cut).
  for (const victim of lone) if (!victims.has(victim.key)) victims.set(victim.key, victim);
  return [...victims.values()].sort((a, b) => a.line - b.line);
}

/** anon-rss + file-rss + shmem-rss of a `Killed process` line, in kB; null when it printed none of them. */
export function killedRssKb(text: string): number | null {
  const sizes = ['anon-rss', 'file-rss', 'shmem-rss'].map((field) =>
    new RegExp(`${field}:(\\d+)kB`).exec(text),
  );
  if (sizes.every((m) => m === null)) return null;
  return sizes.reduce((sum, m) => sum + Number(m?.[1] ?? 0), 0);
}

const OOM_GROUP = /Tasks in (\S+) are going to be killed due to memory\.oom\.group set/;

/** A cgroup the log says was killed whole (`memory.oom.group`), with the victims its report then names. */
export interface LoggedGroupKill {
  memcg: string;
  /** Index of the `Tasks in ...` line. */
  line: number;
  /** Each pid once: the victim chosen before the line, and every task killed after it, until the next report. */
  victims: LoggedVictim[];
}

/** Every `memory.oom.group` kill of the log, each with its victims. */
export function loggedGroupKills(lines: readonly string[]): LoggedGroupKill[] {
  const all = loggedVictims(lines);
  const groups: LoggedGroupKill[] = [];
  lines.forEach((text, line) => {
    const m = OOM_GROUP.exec(text);
    if (!m?.[1]) return;
    const start = reportStart(lines, line);
    let end = line + 1;
    while (end < lines.length && !/invoked oom-killer/.test(lines[end] ?? '')) end++;
    const victims = all.filter((victim) => victim.line >= start && victim.line < end);
    groups.push({ memcg: m[1], line, victims });
  });
  return groups;
}

function reportStart(lines: readonly string[], at: number): number {
  let start = at;
  while (start > 0 && !/invoked oom-killer/.test(lines[start] ?? '')) start--;
  return start;
}

/** The lines of the report a victim's line belongs to: from the last `invoked oom-killer` before it. */
export function reportLines(lines: readonly string[], victimLine: number): string[] {
  let start = victimLine;
  while (start > 0 && !/invoked oom-killer/.test(lines[start] ?? '')) start--;
  return lines.slice(start, victimLine + 1);
}

/** Whether the report shows a kill confined to a memory cgroup (kill-model.md, `cgroup`). */
export function confinedToCgroup(report: readonly string[]): boolean {
  // Each marker opens a kernel message (after its transport): quoted inside another program's line it says nothing.
  return report.some((text) =>
    /(?:^|[\]:;"] ?|\d )(?:oom-kill:constraint=CONSTRAINT_MEMCG|Memory cgroup out of memory|Task in \S+ killed as a result of limit of)/.test(
      text,
    ),
  );
}

/** The kernel release of the report's `CPU: ... Not tainted <release> #n` / `Tainted: <flags> <release> #n` line. */
export function printedRelease(report: readonly string[]): string | null {
  for (const text of report) {
    const m = /CPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: .*? (?:Not tainted|Tainted: .*?) (\S+) #\d/.exec(text);
    if (m?.[1]) return m[1];
  }
  return null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number | string) => String(n).padStart(2, '0');

/**
 * What the time shown for a kill must contain, from its line's own prefix: the syslog / journal / dmesg -T clock
 * time (with its month and day when the line spells them in English), else the kernel's uptime stamp in seconds,
 * else null (the line carries no time).
 */
export function printedTime(lines: readonly string[], victimLine: number): RegExp | null {
  const text = lines[victimLine] ?? '';
  const json = jsonRealtime(lines, victimLine);
  if (json !== null) return new RegExp(literal(new Date(json / 1000).toISOString().slice(0, 19)));
  const kmsg = /^\d+,\d+,(\d+),/.exec(text);
  if (kmsg) return new RegExp(literal(`${(Number(kmsg[1]) / 1e6).toFixed(1)} s after boot`));
  const prefix = text.slice(0, Math.max(0, text.search(/Killed process|oom-kill:|systemd-oomd\[/)));
  const iso = /(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)/.exec(prefix);
  if (iso) return new RegExp(literal(`${iso[1]}T${iso[2]}`));
  const syslog = /^(?:<\d+>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d) /.exec(prefix);
  if (syslog && MONTHS.includes(syslog[1] ?? ''))
    return new RegExp(
      literal(`-${two(MONTHS.indexOf(syslog[1] ?? '') + 1)}-${two(syslog[2] ?? '')}T${syslog[3]}`),
    );
  const ctime = /\[[^\]]*?([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d) (\d{4})\]/.exec(prefix);
  if (ctime && MONTHS.includes(ctime[1] ?? ''))
    return new RegExp(
      literal(`${ctime[4]}-${two(MONTHS.indexOf(ctime[1] ?? '') + 1)}-${two(ctime[2] ?? '')}T${ctime[3]}`),
    );
  const clock = /\b(\d\d:\d\d(?::\d\d)?)\b/.exec(prefix.replace(/\[\s*\d+\.\d+\]/g, ''));
  if (clock) return new RegExp(`(?<!\\d)${literal(clock[1] ?? '')}`);
  const stamp = /\[\s*(\d+\.\d+)\]/.exec(prefix);
  if (stamp) return new RegExp(literal(`${Number(stamp[1]).toFixed(1)} s after boot`));
  return null;
}

/** `__REALTIME_TIMESTAMP` of the journald JSON record holding the line (one record a line, or pretty-printed). */
function jsonRealtime(lines: readonly string[], at: number): number | null {
  const own = /"__REALTIME_TIMESTAMP"\s*:\s*"(\d+)"/.exec(lines[at] ?? '');
  if (own) return Number(own[1]);
  if (!/^\s*"MESSAGE"\s*:/.test(lines[at] ?? '')) return null;
  for (const step of [-1, 1]) {
    for (let i = at + step; i >= 0 && i < lines.length && !/^[{}]\s*,?$/.test(lines[i] ?? ''); i += step) {
      const m = /"__REALTIME_TIMESTAMP"\s*:\s*"(\d+)"/.exec(lines[i] ?? '');
      if (m) return Number(m[1]);
    }
  }
  return null;
}

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `memory: usage NkB, limit NkB` line of a cgroup report (the OOM memcg's own), in kB. */
export function printedMemcgUsage(report: readonly string[]): { usageKb: number; limitKb: number } | null {
  for (const text of report) {
    const m = /[\]:] memory: usage (\d+)kB, limit (\d+)kB/.exec(text);
    if (m) return { usageKb: Number(m[1]), limitKb: Number(m[2]) };
  }
  return null;
}

/** `N pages RAM` of a report's memory summary (pages, 4 KiB on the corpus' hosts). */
export function printedRamPages(report: readonly string[]): number | null {
  for (const text of report) {
    const m = /[\]:] (\d+) pages RAM\s*$/.exec(text);
    if (m) return Number(m[1]);
  }
  return null;
}

/** The victim line's `anon-rss:NkB, file-rss:NkB, shmem-rss:NkB`, summed (kB), or null when it prints none. */
export function printedRssKb(line: string): number | null {
  const m = /anon-rss:(\d+)kB, file-rss:(\d+)kB(?:, shmem-rss:(\d+)kB)?/.exec(line);
  return m ? Number(m[1]) + Number(m[2]) + Number(m[3] ?? 0) : null;
}

/** systemd-oomd's `Current Memory Usage: 55.5M` for the cgroup it printed right above, in kB. */
export function printedOomdUsageKb(lines: readonly string[], path: string): number | null {
  const scales: Record<string, number> = { B: 1 / 1024, K: 1, M: 1024, G: 1024 ** 2, T: 1024 ** 3 };
  for (let i = 0; i < lines.length; i++) {
    if (!(lines[i] ?? '').trimEnd().endsWith(`Path: ${path}`)) continue;
    for (const text of lines.slice(i + 1, i + 12)) {
      const m = /Current Memory Usage: ([\d.]+)([BKMGT])\s*$/.exec(text);
      if (m) return Number(m[1]) * (scales[m[2] ?? ''] ?? Number.NaN);
      if (/Path: /.test(text)) break;
    }
  }
  return null;
}
