import {
  type KillLineEvent,
  killLineAt,
  parseKillLine,
  parseReapedLine,
  parseSelectionLine,
  type ReapedEvent,
  type SelectionEvent,
} from './kill-line';
import { killPhraseAt, mentionsKillPhrase } from './kill-phrase';
import { type OomKillSummaryEvent, parseOomKillSummary } from './oom-kill-summary';
import { digitsEnd, integerIn } from './scan';
import { parseTaskHeader, parseTaskRowStart, type TaskHeaderEvent } from './task-table';

/**
 * One kernel (or systemd-oomd) message of an OOM report, recognized from its text. Every format here is a
 * `printk` of mm/oom_kill.c, mm/memcontrol.c, lib/show_mem.c or systemd's oomd, across kernel eras.
 */
export type ReportEvent =
  | InvokedEvent
  | CpuEvent
  | SelectionEvent
  | KillLineEvent
  | ReapedEvent
  | OomKillSummaryEvent
  | TaskHeaderEvent
  | TaskInEvent
  | MemcgUsageEvent
  | { type: 'mem-info' }
  | MemcgStatsHeaderEvent
  | MemcgCounterEvent
  | { type: 'mem-info-counters'; body: string }
  | { type: 'node-lru'; body: string }
  | { type: 'swap-total'; kb: number }
  | { type: 'swap-free'; kb: number }
  | { type: 'pages-ram'; pages: number }
  | { type: 'already-exiting'; pid: number }
  | { type: 'group-kill'; memcg: string | null }
  | OomdKillEvent;

export interface InvokedEvent {
  type: 'invoked';
  comm: string;
  gfpMask: string | null;
  order: number | null;
}

export interface CpuEvent {
  type: 'cpu';
  pid: number;
  comm: string;
  kernelVersion: string | null;
}

export interface TaskInEvent {
  type: 'task-in';
  taskMemcg: string;
  oomMemcg: string;
}

export interface MemcgUsageEvent {
  type: 'memcg-usage';
  usageKb: number;
  limitKb: number;
  failcnt: number | null;
}

/** `Memory cgroup stats for <path>:`, and what followed the colon on the same line (older v1 kernels). */
export interface MemcgStatsHeaderEvent {
  type: 'memcg-stats-header';
  memcg: string;
  rest: string;
}

/** v1's `memory+swap:` and `kmem:`, v2's `swap:` summary: `<counter>: usage NkB, limit NkB, failcnt N`. */
export interface MemcgCounterEvent {
  type: 'memcg-counter';
  counter: 'memory+swap' | 'kmem' | 'swap';
  usageKb: number;
  limitKb: number;
}

export interface OomdKillEvent {
  type: 'oomd-kill';
  cgroupPath: string;
  reason: string;
}

/** A task-table row is recognized cheaply here and split later, against the report's header. */
export interface TaskRowEvent {
  type: 'task-row';
  body: string;
}

const INVOKED = ' invoked oom-killer: ';
const TASK_IN = 'Task in ';
const LIMIT_OF = ' killed as a result of limit of ';
const MEMCG_USAGE = /^memory: usage (\d{1,20})kB, limit (\d{1,20})kB(?:, failcnt (\d{1,20}))?/;
const MEMCG_COUNTER = /^(memory\+swap|kmem|swap): usage (\d{1,20})kB, limit (\d{1,20})kB/;
const STATS_FOR = 'Memory cgroup stats for ';
const GROUP_KILL_TAIL = ' are going to be killed due to memory.oom.group set';
const NODE_LRU = /^Node \d{1,4} active_anon:/;
const SWAP_TOTAL = /^Total swap = (\d{1,20})kB/;
const SWAP_FREE = /^Free swap {1,2}= (-?\d{1,20})kB/;
const PAGES_RAM = /^(\d{1,20}) pages RAM$/;
const ALREADY_EXITING = /^OOM victim (\d{1,10}) \(/;
/** The kernel's comm holds at most 15 bytes (TASK_COMM_LEN 16, with its NUL). */
const MAX_COMM_BYTES = 15;

/** Recognize one kernel message, which must open `body`: the kernel's text starts where its transport ends. */
export function classifyKernelMessage(body: string): ReportEvent | TaskRowEvent | null {
  const first = body.charCodeAt(0);
  if (first === 91 /* [ */) {
    const header = parseTaskHeader(body);
    if (header) return header;
    if (parseTaskRowStart(body)) return { type: 'task-row', body };
  }
  const phrase = killPhraseAt(body);
  if (phrase >= 0) {
    // A `Killed process ` there is the line's first; after `kill process ` one may still follow.
    const kill =
      body.charCodeAt(phrase) === 75 /* K */ && body.startsWith('ed', phrase + 4)
        ? killLineAt(body, phrase)
        : parseKillLine(body);
    return kill ?? parseSelectionLine(body);
  }
  if (mentionsKillPhrase(body)) return null;
  const invoked = body.indexOf(INVOKED);
  if (invoked > 0) return isComm(body, invoked) ? parseInvoked(body, invoked) : null;
  if (body.startsWith('oom-kill:')) return parseOomKillSummary(body);
  if (body.startsWith('oom_reaper: ')) return parseReapedLine(body);
  if (body.startsWith('OOM victim ')) {
    const exiting = ALREADY_EXITING.exec(body);
    if (exiting) return { type: 'already-exiting', pid: Number(exiting[1]) };
  }
  return classifyReportDetail(body, first);
}

/** The lines between the header and the kill: CPU, cgroup and memory summaries. */
function classifyReportDetail(body: string, first: number): ReportEvent | null {
  switch (first) {
    case 67 /* C */:
      return body.startsWith('CPU: ') ? parseCpuLine(body) : null;
    case 80 /* P */:
      return body.startsWith('Pid: ') ? parseCpuLine(body) : null;
    case 84 /* T */:
      {
        if (body.startsWith(TASK_IN)) return parseTaskIn(body);
        // memory.oom.group: every task of the cgroup is killed, each with its own `Killed process` line.
        if (body.startsWith('Tasks in ') && body.includes('memory.oom.group')) return parseGroupKill(body);
        const total = SWAP_TOTAL.exec(body);
        return total ? { type: 'swap-total', kb: Number(total[1]) } : null;
      }
    case 70 /* F */:
      {
        const free = SWAP_FREE.exec(body);
        return free ? { type: 'swap-free', kb: Number(free[1]) } : null;
      }
    case 77 /* M */:
      if (body.startsWith(STATS_FOR)) return parseStatsHeader(body);
      return body.startsWith('Mem-Info') ? { type: 'mem-info' } : null;
    case 78 /* N */:
      return NODE_LRU.test(body) ? { type: 'node-lru', body } : null;
    case 97 /* a */:
    case 65 /* A */:
      // The global counters open with `active_anon:` (2.6.32 to 6.x; `Active_anon:` 2.6.28-31); the rest continue
      // the record.
      return body.startsWith('ctive_anon:', 1) ? { type: 'mem-info-counters', body } : null;
    case 107 /* k */:
    case 115 /* s */:
      return parseMemcgCounter(body);
    case 109 /* m */:
      {
        const usage = MEMCG_USAGE.exec(body);
        if (!usage) return parseMemcgCounter(body);
        return {
          type: 'memcg-usage',
          usageKb: Number(usage[1]),
          limitKb: Number(usage[2]),
          failcnt: usage[3] === undefined ? null : Number(usage[3]),
        };
      }
    default: {
      if (first >= 48 && first <= 57) {
        const ram = PAGES_RAM.exec(body);
        return ram ? { type: 'pages-ram', pages: Number(ram[1]) } : null;
      }
      return null;
    }
  }
}

/**
 * Whether `body[0, end)` can be a task's comm: `<comm> invoked oom-killer:` opens with it, so a longer run
 * before the phrase is other output around a quote. dmesg and journald print a byte they cannot show as `\xNN`,
 * which counts as the one byte it stands for.
 */
function isComm(body: string, end: number): boolean {
  if (end <= MAX_COMM_BYTES) return true;
  if (end > MAX_COMM_BYTES * 4) return false;
  const comm = body.slice(0, end).replace(/\\x[0-9a-fA-F]{2}/g, '.');
  return Buffer.byteLength(comm, 'utf8') <= MAX_COMM_BYTES;
}

/** `<comm> invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0` (all eras). */
function parseInvoked(body: string, at: number): InvokedEvent | null {
  const comm = body.slice(0, at);
  const event: InvokedEvent = { type: 'invoked', comm, gfpMask: null, order: null };
  // The fields are `key=value` separated by `, `; a later field of the same key wins.
  const fieldsStart = at + INVOKED.length;
  const fieldsEnd = Math.min(body.length, fieldsStart + 400);
  for (let start = fieldsStart; start < fieldsEnd; ) {
    const separator = body.indexOf(', ', start);
    const end = separator < 0 || separator + 2 > fieldsEnd ? fieldsEnd : separator;
    if (body.startsWith('gfp_mask=', start) && start + 9 <= end) event.gfpMask = body.slice(start + 9, end);
    else if (body.startsWith('order=', start) && start + 6 <= end) {
      const order = smallIntegerIn(body, start + 6, end);
      if (order !== null) event.order = order;
    }
    start = end + 2;
  }
  return event;
}

/** `text[start, end)` as an integer of 1-4 digits, optionally negative; null when it is anything else. */
function smallIntegerIn(text: string, start: number, end: number): number | null {
  const digits = text.charCodeAt(start) === 45 /* - */ ? start + 1 : start;
  if (end - digits < 1 || end - digits > 4 || digitsEnd(text, digits, 4) !== end) return null;
  const value = integerIn(text, digits, end);
  return digits > start ? -value : value;
}

/**
 * `CPU: 1 PID: 4928 Comm: anaconda Not tainted 4.16.0 #1` (3.x+, `UID: n` since 6.13, `Kdump: loaded` on
 * RHEL) and 2.6's `Pid: 5795, comm: msgctl11 Not tainted 2.6.31-rc1 #147`. The comm may contain spaces.
 */
function parseCpuLine(body: string): CpuEvent | null {
  const modern = /^CPU: \d{1,5} (?:UID: \d{1,10} )?PID: (\d{1,10}) Comm: /.exec(body);
  const legacy = modern ? null : /^Pid: (\d{1,10}), comm: /.exec(body);
  const match = modern ?? legacy;
  if (!match) return null;
  const rest = body.slice(match[0].length);
  let end = rest.length;
  for (const marker of [' Not tainted', ' Tainted: ', ' Kdump: ']) {
    const at = rest.indexOf(marker);
    if (at >= 0 && at < end) end = at;
  }
  return {
    type: 'cpu',
    pid: Number(match[1]),
    comm: rest.slice(0, end),
    kernelVersion: kernelVersionAfter(rest.slice(end)),
  };
}

/** The release follows `Not tainted` or the taint flags (letters and spaces): the first word starting with a digit. */
function kernelVersionAfter(text: string): string | null {
  for (const word of text.slice(0, 200).split(' ')) {
    const c = word.charCodeAt(0);
    if (c >= 48 && c <= 57) return word;
  }
  return null;
}

/** `Task in /docker/abc killed as a result of limit of /docker/abc` (memcg OOM, kernels before 4.19). */
function parseTaskIn(body: string): TaskInEvent | null {
  const limitAt = body.indexOf(LIMIT_OF);
  if (limitAt < 0) return null;
  return {
    type: 'task-in',
    taskMemcg: body.slice(TASK_IN.length, limitAt),
    oomMemcg: body.slice(limitAt + LIMIT_OF.length).trimEnd(),
  };
}

function parseMemcgCounter(body: string): MemcgCounterEvent | null {
  const match = MEMCG_COUNTER.exec(body);
  if (!match) return null;
  return {
    type: 'memcg-counter',
    counter: match[1] as MemcgCounterEvent['counter'],
    usageKb: Number(match[2]),
    limitKb: Number(match[3]),
  };
}

/** `Memory cgroup stats for /docker/abc:` (then its block), or older v1 kernels' `... /docker/abc: cache:32KB rss:...`. */
function parseStatsHeader(body: string): MemcgStatsHeaderEvent | null {
  const end = body.trimEnd();
  const sameLine = end.indexOf(': ', STATS_FOR.length);
  if (sameLine > STATS_FOR.length)
    return {
      type: 'memcg-stats-header',
      memcg: end.slice(STATS_FOR.length, sameLine),
      rest: end.slice(sameLine + 2),
    };
  if (!end.endsWith(':') || end.length === STATS_FOR.length + 1) return null;
  return { type: 'memcg-stats-header', memcg: end.slice(STATS_FOR.length, -1), rest: '' };
}

/** `Tasks in <cgroup> are going to be killed due to memory.oom.group set` (mm/memcontrol.c, 4.19+). */
function parseGroupKill(body: string): { type: 'group-kill'; memcg: string | null } {
  const tail = body.indexOf(GROUP_KILL_TAIL);
  // A line cut short still says the whole group goes, only not which cgroup.
  return { type: 'group-kill', memcg: tail > 9 ? body.slice(9, tail) : null };
}

/**
 * systemd-oomd: `Killed /system.slice/x.service due to memory pressure for /system.slice being 86.45% > 50.00%
 * for > 20s with reclaim activity`, or `... due to memory used (...) / total (...) and swap used ...`.
 */
export function parseOomdKill(body: string): OomdKillEvent | null {
  // systemd 252+ words it `Marked /x.service for killing due to ...` and then kills the whole unit.
  const marked = body.startsWith('Marked /');
  if (!marked && !body.startsWith('Killed /')) return null;
  const due = body.indexOf(marked ? ' for killing due to ' : ' due to ');
  if (due < 0) return null;
  const reason = body.slice(due + (marked ? 20 : 8)).trimEnd();
  return { type: 'oomd-kill', cgroupPath: body.slice(marked ? 7 : 7, due), reason };
}
