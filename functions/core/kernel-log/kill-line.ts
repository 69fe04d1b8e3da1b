import { digitsEnd, endsWithIgnoringCase, integerIn, numberAfter } from './scan';

/**
 * The victim lines of an OOM report, in every kernel era:
 * - `Out of memory: Killed process 4242 (java) total-vm:..kB, anon-rss:..kB, file-rss:..kB, shmem-rss:..kB, UID:0 pgtables:..kB oom_score_adj:0` (5.x+)
 * - `Memory cgroup out of memory: Killed process ...`, `Out of memory (oom_kill_allocating_task): Killed process ...`
 * - `Killed process 4242 (java) total-vm:..kB, anon-rss:..kB, file-rss:..kB[, shmem-rss:..kB]` (3.x, 4.x)
 * - `Killed process 4242 (java) vsz:..kB, anon-rss:..kB, file-rss:..kB` (2.6.3x)
 * - `Killed process 4242, UID 0, (java) total-vm:...` (RHEL 6), `Killed process 4242 (java), UID 0, total-vm:...` (RHEL 7)
 * - `Out of Memory: Killed process 4242 (java).` (2.6 before the memory fields)
 * and the selection `Out of memory: Kill process N (comm) score S or sacrifice child` (`kill process ... or a
 * child` on 2.6), which only names a candidate: the kill is the `Killed process` line that follows.
 */

export interface KillLineEvent {
  type: 'killed';
  pid: number;
  comm: string;
  /** True for `Memory cgroup out of memory:`, false for a global `Out of memory`, null when no prefix was printed. */
  memcg: boolean | null;
  /** `Kill process N (comm) sharing same memory`: a second process killed with the victim because it shares its mm. */
  sharingMemory: boolean;
  totalVmKb: number | null;
  anonRssKb: number | null;
  fileRssKb: number | null;
  shmemRssKb: number | null;
  pgtablesKb: number | null;
  uid: number | null;
  oomScoreAdj: number | null;
  /** The line carried the kernel's memory fields, so it cannot be an application's sentence. */
  hasMemoryFields: boolean;
}

export interface SelectionEvent {
  type: 'selected';
  pid: number;
  comm: string;
  score: number | null;
  memcg: boolean | null;
}

export interface ReapedEvent {
  type: 'reaped';
  pid: number;
  comm: string;
  anonRssKb: number | null;
}

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

export function parseKillLine(body: string): KillLineEvent | null {
  const at = body.indexOf(KILLED);
  return at < 0 ? null : killLineAt(body, at);
}

/**
 * `parseKillLine` when the first `Killed process ` of `body` is known to start at `at` (the message classifier
 * has just found it there), which spares a second search of the line.
 */
export function killLineAt(body: string, at: number): KillLineEvent | null {
  let cursor = at + KILLED.length;
  const pidEnd = digitsEnd(body, cursor, 11);
  if (pidEnd === cursor) return null;
  const pid = integerIn(body, cursor, pidEnd);
  cursor = pidEnd;
  let uid: number | null = null;
  if (body.startsWith(', UID ', cursor)) {
    // RHEL 6: `Killed process 4242, UID 0, (java) ...`.
    const uidEnd = digitsEnd(body, cursor + 6, 10);
    if (uidEnd > cursor + 6 && body.charCodeAt(uidEnd) === 44 /* , */) {
      uid = integerIn(body, cursor + 6, uidEnd);
      cursor = uidEnd + 1;
    }
  }
  const commClose = commCloseAt(body, cursor);
  if (commClose < 0) return null;
  const event = killedEvent(pid, commText(body, cursor, commClose), memcgBefore(body, at), false);
  event.uid = uid;
  readMemoryFields(body, commClose + 1, Math.min(body.length, commClose + 401), event);
  return event;
}

export function parseSelectionLine(body: string): SelectionEvent | KillLineEvent | null {
  let at = body.indexOf('Kill process ');
  if (at < 0) at = body.indexOf('kill process ');
  if (at < 0) return null;
  const pidEnd = digitsEnd(body, at + 13, 11);
  if (pidEnd === at + 13) return null;
  const pid = integerIn(body, at + 13, pidEnd);
  const commClose = commCloseAt(body, pidEnd);
  if (commClose < 0) return null;
  const comm = commText(body, pidEnd, commClose);
  if (body.startsWith(' sharing same memory', commClose + 1)) return killedEvent(pid, comm, null, true);
  return {
    type: 'selected',
    pid,
    comm,
    score: body.startsWith(' score ', commClose + 1)
      ? numberAfter(body, 'score ', commClose + 2, commClose + 29)
      : null,
    memcg: memcgBefore(body, at),
  };
}

/** `oom_reaper: reaped process 4242 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB` (4.6+). */
export function parseReapedLine(body: string): ReapedEvent | null {
  const marker = 'oom_reaper: reaped process ';
  const at = body.indexOf(marker);
  if (at < 0) return null;
  const pidStart = at + marker.length;
  const pidEnd = digitsEnd(body, pidStart, 11);
  if (pidEnd === pidStart) return null;
  const commClose = commCloseAt(body, pidEnd);
  if (commClose < 0) return null;
  const anon = /anon-rss:(\d{1,20})kB/.exec(body.slice(commClose + 1, commClose + 121));
  return {
    type: 'reaped',
    pid: integerIn(body, pidStart, pidEnd),
    comm: commText(body, pidEnd, commClose),
    anonRssKb: anon ? Number(anon[1]) : null,
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

/** What precedes the victim phrase at `at`: a memcg OOM, a global one, or no prefix at all. */
function memcgBefore(body: string, at: number): boolean | null {
  if (body.endsWith('Memory cgroup out of memory: ', at)) return true;
  if (endsWithIgnoringCase(body, 'out of memory: ', at)) return false;
  if (endsWithIgnoringCase(body, '(oom_kill_allocating_task): ', at)) return false;
  return null;
}

/**
 * Where `(comm)` starting at `start` (which may point at the space before it) closes, or -1. The comm may itself
 * hold parentheses and spaces (`(sd-pam)`, `Web Content`), so the closing parenthesis is the first one followed
 * by what the kernel prints after a comm; failing that, the first followed by the end, a comma, a dot or a space.
 */
function commCloseAt(text: string, start: number): number {
  const open = commOpenAt(text, start);
  if (open < 0) return -1;
  const limit = Math.min(text.length, open + 1 + COMM_WINDOW);
  let fallback = -1;
  for (let i = open + 1; i < limit; i++) {
    if (text.charCodeAt(i) !== 41 /* ) */) continue;
    if (isCommFollower(text, i + 1)) return i;
    if (fallback < 0) {
      const next = text.charCodeAt(i + 1);
      if (Number.isNaN(next) || next === 44 || next === 46 || next === 32 || next === 13) fallback = i;
    }
  }
  return fallback;
}

/** The comm between the parenthesis opening at (or one space after) `start` and `close`. */
function commText(text: string, start: number, close: number): string {
  return text.slice(commOpenAt(text, start) + 1, close);
}

function commOpenAt(text: string, start: number): number {
  const open = text.charCodeAt(start) === 32 ? start + 1 : start;
  return text.charCodeAt(open) === 40 /* ( */ ? open : -1;
}

function isCommFollower(text: string, at: number): boolean {
  // Every follower opens with a space or a comma: most parentheses inside a comm are followed by neither.
  const next = text.charCodeAt(at);
  if (next !== 32 && next !== 44) return false;
  for (const follower of COMM_FOLLOWERS) if (text.startsWith(follower, at)) return true;
  return false;
}

/** `total-vm:123kB, anon-rss:45kB, ...`, `UID:0 pgtables:120kB oom_score_adj:0`, RHEL 7's `, UID 0,`. */
function readMemoryFields(body: string, from: number, limit: number, event: KillLineEvent): void {
  // A scan for the few keys the kernel prints, each a word of its own: no splitting, no regex per token.
  event.totalVmKb = numberAfter(body, 'total-vm:', from, limit) ?? numberAfter(body, 'vsz:', from, limit);
  event.anonRssKb = numberAfter(body, 'anon-rss:', from, limit);
  event.fileRssKb = numberAfter(body, 'file-rss:', from, limit);
  event.shmemRssKb = numberAfter(body, 'shmem-rss:', from, limit);
  event.pgtablesKb = numberAfter(body, 'pgtables:', from, limit);
  event.oomScoreAdj = numberAfter(body, 'oom_score_adj:', from, limit);
  const uid = numberAfter(body, 'UID:', from, limit) ?? numberAfter(body, 'UID ', from, limit);
  if (uid !== null) event.uid = uid;
  event.hasMemoryFields = event.totalVmKb !== null || event.anonRssKb !== null;
}
