import type { KillLineEvent, SelectionEvent } from '../../../../functions/core/kernel-log/kill-line';
import type { InvokedEvent } from '../../../../functions/core/kernel-log/messages';
import type { OomKillSummaryEvent } from '../../../../functions/core/kernel-log/oom-kill-summary';

/*
 * The straightforward first versions of the victim, summary and `invoked` line parsers (slices, regular
 * expressions, splits). The shipped parsers scan in place instead, for speed; tests fuzz both and require the
 * same answers, so that speed never changes what is parsed.
 */

const KILLED = 'Killed process ';
/** What may follow the comm's closing parenthesis and proves it is the closing one. */
const COMM_FOLLOWERS = [
  ' total-vm:',
  ' vsz:',
  ', UID ',
  ', total-vm:',
  ' score ',
  ' sharing same memory',
  ', now ',
  ' is already exiting',
];
/** The kernel's comm is at most 15 bytes; printed with escapes or as UTF-8 it stays well within this. */
const COMM_WINDOW = 64;

export function referenceKillLine(body: string): KillLineEvent | null {
  const at = body.indexOf(KILLED);
  if (at < 0) return null;
  const memcg = memcgFromPrefix(body.slice(0, at));
  let cursor = at + KILLED.length;
  const pid = readInt(body, cursor);
  if (!pid) return null;
  cursor = pid.end;
  let uid: number | null = null;
  const rhel6Uid = /^, UID (\d{1,10}),/.exec(body.slice(cursor, cursor + 24));
  if (rhel6Uid) {
    uid = Number(rhel6Uid[1]);
    cursor += rhel6Uid[0].length;
  }
  const comm = readComm(body, cursor);
  if (!comm) return null;
  const event = killedEvent(pid.value, comm.text, memcg, false);
  event.uid = uid;
  readMemoryFields(body.slice(comm.end, comm.end + 400), event);
  return event;
}

export function referenceSelectionLine(body: string): SelectionEvent | KillLineEvent | null {
  let at = body.indexOf('Kill process ');
  if (at < 0) at = body.indexOf('kill process ');
  if (at < 0) return null;
  const pid = readInt(body, at + 13);
  if (!pid) return null;
  const comm = readComm(body, pid.end);
  if (!comm) return null;
  const rest = body.slice(comm.end, comm.end + 80);
  if (rest.startsWith(' sharing same memory')) return killedEvent(pid.value, comm.text, null, true);
  const score = /^ score (-?\d{1,20})/.exec(rest);
  return {
    type: 'selected',
    pid: pid.value,
    comm: comm.text,
    score: score ? Number(score[1]) : null,
    memcg: memcgFromPrefix(body.slice(0, at)),
  };
}

function killedEvent(
  pid: number,
  comm: string,
  memcg: boolean | null,
  sharingMemory: boolean,
): KillLineEvent {
  return {
    type: 'killed',
    pid,
    comm,
    memcg,
    sharingMemory,
    totalVmKb: null,
    anonRssKb: null,
    fileRssKb: null,
    shmemRssKb: null,
    pgtablesKb: null,
    uid: null,
    oomScoreAdj: null,
    hasMemoryFields: false,
  };
}

function memcgFromPrefix(prefix: string): boolean | null {
  if (prefix.endsWith('Memory cgroup out of memory: ')) return true;
  const lower = prefix.toLowerCase();
  if (lower.endsWith('out of memory: ') || lower.endsWith('(oom_kill_allocating_task): ')) return false;
  return null;
}

function readInt(text: string, start: number): { value: number; end: number } | null {
  let end = start;
  while (end < text.length && end - start < 11) {
    const c = text.charCodeAt(end);
    if (c < 48 || c > 57) break;
    end++;
  }
  if (end === start) return null;
  return { value: Number(text.slice(start, end)), end };
}

/**
 * Read `(comm)` starting at `start` (which may point at the space before it). The comm may itself hold
 * parentheses and spaces (`(sd-pam)`, `Web Content`), so the closing parenthesis is the first one followed by
 * what the kernel prints after a comm; failing that, the first followed by the end, a comma, a dot or a space.
 */
function readComm(text: string, start: number): { text: string; end: number } | null {
  let open = start;
  if (text.charCodeAt(open) === 32) open++;
  if (text.charCodeAt(open) !== 40 /* ( */) return null;
  const limit = Math.min(text.length, open + 1 + COMM_WINDOW);
  let fallback = -1;
  for (let i = open + 1; i < limit; i++) {
    if (text.charCodeAt(i) !== 41 /* ) */) continue;
    if (COMM_FOLLOWERS.some((follower) => text.startsWith(follower, i + 1))) {
      return { text: text.slice(open + 1, i), end: i + 1 };
    }
    if (fallback < 0) {
      const next = text.charCodeAt(i + 1);
      if (Number.isNaN(next) || next === 44 || next === 46 || next === 32 || next === 13) fallback = i;
    }
  }
  if (fallback < 0) return null;
  return { text: text.slice(open + 1, fallback), end: fallback + 1 };
}

/** `total-vm:123kB, anon-rss:45kB, ...`, `UID:0 pgtables:120kB oom_score_adj:0`, RHEL 7's `, UID 0,`. */
function readMemoryFields(rest: string, event: KillLineEvent): void {
  // A scan for the few keys the kernel prints, each a word of its own: no splitting, no regex per token.
  event.totalVmKb = numberAfter(rest, 'total-vm:') ?? numberAfter(rest, 'vsz:');
  event.anonRssKb = numberAfter(rest, 'anon-rss:');
  event.fileRssKb = numberAfter(rest, 'file-rss:');
  event.shmemRssKb = numberAfter(rest, 'shmem-rss:');
  event.pgtablesKb = numberAfter(rest, 'pgtables:');
  event.oomScoreAdj = numberAfter(rest, 'oom_score_adj:');
  const uid = numberAfter(rest, 'UID:') ?? numberAfter(rest, 'UID ');
  if (uid !== null) event.uid = uid;
  event.hasMemoryFields = event.totalVmKb !== null || event.anonRssKb !== null;
}

/** The integer right after `key`, where `key` starts a word (after a space, a comma or the start). */
function numberAfter(text: string, key: string): number | null {
  let at = text.indexOf(key);
  while (at > 0) {
    const before = text.charCodeAt(at - 1);
    if (before === 32 || before === 44 || before === 9) break;
    at = text.indexOf(key, at + 1);
  }
  if (at < 0) return null;
  let i = at + key.length;
  const start = i;
  if (text.charCodeAt(i) === 45 /* - */) i++;
  const digits = i;
  while (i < text.length && i - digits < 20) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i > digits ? Number(text.slice(start, i)) : null;
}

const KEYS = [
  'constraint=',
  ',nodemask=',
  ',cpuset=',
  ',mems_allowed=',
  ',oom_memcg=',
  ',task_memcg=',
] as const;

export function referenceOomKillSummary(body: string): OomKillSummaryEvent | null {
  const start = body.indexOf('oom-kill:');
  if (start < 0) return null;
  const text = body.slice(start + 9).trimEnd();
  const pidAt = text.lastIndexOf(',pid=');
  const taskAt = pidAt < 0 ? -1 : text.lastIndexOf(',task=', pidAt);
  if (taskAt < 0) return null;
  const pidMatch = /^,pid=(\d{1,10})(?:,uid=(\d{1,10}))?/.exec(text.slice(pidAt));
  if (!pidMatch) return null;
  const head = text.slice(0, taskAt);
  const positions: { key: string; at: number }[] = [];
  let from = 0;
  for (const key of KEYS) {
    const at = head.indexOf(key, from);
    if (at < 0) continue;
    positions.push({ key, at });
    from = at + key.length;
  }
  const globalAt = head.indexOf(',global_oom');
  const value = (key: string): string | null => {
    const index = positions.findIndex((p) => p.key === key);
    const entry = positions[index];
    if (!entry) return null;
    const next = positions[index + 1];
    let end = next ? next.at : head.length;
    if (globalAt > entry.at && globalAt < end) end = globalAt;
    return head.slice(entry.at + key.length, end);
  };
  return {
    type: 'summary',
    constraint: value('constraint='),
    oomMemcg: value(',oom_memcg='),
    taskMemcg: value(',task_memcg='),
    globalOom: globalAt >= 0,
    task: text.slice(taskAt + 6, pidAt),
    pid: Number(pidMatch[1]),
    uid: pidMatch[2] === undefined ? null : Number(pidMatch[2]),
  };
}

export function referenceInvoked(body: string, at: number): InvokedEvent | null {
  const comm = body.slice(0, at);
  // The kernel's comm is at most 15 bytes (an unprintable one shown as \xNN): more is other output quoting it.
  if (Buffer.byteLength(comm.replace(/\\x[0-9a-fA-F]{2}/g, '.')) > 15) return null;
  const event: InvokedEvent = { type: 'invoked', comm, gfpMask: null, order: null };
  const fields = body.slice(at + 21, at + 21 + 400).split(', ');
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq < 0) continue;
    const key = field.slice(0, eq);
    const value = field.slice(eq + 1);
    if (key === 'gfp_mask') event.gfpMask = value;
    else if (key === 'order' && /^-?\d{1,4}$/.test(value)) event.order = Number(value);
  }
  return event;
}
