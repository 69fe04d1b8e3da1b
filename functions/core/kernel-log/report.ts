import type { Envelope } from './envelope';
import type { KillLineEvent, SelectionEvent } from './kill-line';
import { cgroupFactsOf } from './memcg-path';
import { MemcgStatsBuilder, MemInfoBuilder } from './memory-stats';
import type {
  CpuEvent,
  InvokedEvent,
  MemcgCounterEvent,
  MemcgUsageEvent,
  OomdKillEvent,
  TaskInEvent,
} from './messages';
import type { OomKillSummaryEvent } from './oom-kill-summary';
import { isoFromMillis, MAX_DATE_MS } from './time';
import { isKernelOnly, type Kill, type TaskRow } from './types';

/** Where a line came from beyond its own text: set for CloudWatch Logs events. */
export interface LineSource {
  logGroup?: string;
  logStream?: string;
  eventId?: string;
  /** The log event's timestamp (epoch ms), used when the message has no dated prefix. */
  timestampMs?: number;
}

/**
 * The lines of one OOM report on one host, from `invoked oom-killer` to `Killed process` (or any subset of
 * them), and the kills it produced. Report-wide facts (trigger, memory summary, task table) are copied into
 * each kill when the report closes, so a late `oom_reaper` line still lands on its kill.
 */
export class Report {
  invoked: InvokedEvent | null = null;
  cpu: CpuEvent | null = null;
  selected: SelectionEvent | null = null;
  summary: { event: OomKillSummaryEvent; envelope: Envelope; source: LineSource | undefined } | null = null;
  taskIn: TaskInEvent | null = null;
  memcgUsage: MemcgUsageEvent | null = null;
  /** `memory+swap:`, `kmem:` and v2's `swap:` summaries, by counter. */
  memcgCounters: Partial<Record<MemcgCounterEvent['counter'], MemcgCounterEvent>> | null = null;
  memcgStats: MemcgStatsBuilder | null = null;
  memInfo: MemInfoBuilder | null = null;
  /** The multi-line block whose lines are being read: later lines of it carry no text of their own to classify. */
  block: 'memcg-stats' | 'mem-info' | null = null;
  oomGroupMemcg: string | null = null;
  swapTotalKb: number | null = null;
  swapFreeKb: number | null = null;
  ramPages: number | null = null;
  /** The task table's rows, once a header or row was read (most batches carry none). */
  tasks: TaskRow[] | null = null;
  kills: Kill[] = [];
  /** Set once a victim line arrived: a later report line starts a new report. */
  consumed = false;
  /** In the parser's output queue (kills are emitted in input order). */
  queued = false;
  /** Closed: no later line can change its kills, so they may be emitted. */
  closed = false;
  /** Open and still waiting for its victim line (the parser reads every line while any report is). */
  awaitingVictim = false;
  /** `memory.oom.group` is set: the kernel kills every task of the cgroup, so more victim lines follow. */
  groupKill = false;
  lastTimeMs: number | null = null;
  lastKernelTime: number | null = null;

  /** @param lastLine the input line number that opened the report, for closing reports of quiet hosts */
  constructor(public lastLine = 0) {}
  /** Consecutive lines of this host that belonged to no report: a long run means the report is over. */
  unrelatedRun = 0;

  /** Record the line's clocks; true when it is too far from the report's last line to belong to it. */
  isFarFrom(envelope: Envelope): boolean {
    const gapSeconds = 30;
    if (envelope.kernelTime !== null && this.lastKernelTime !== null) {
      const delta = envelope.kernelTime - this.lastKernelTime;
      return delta > gapSeconds || delta < -1;
    }
    if (envelope.timeMs !== null && this.lastTimeMs !== null) {
      return Math.abs(envelope.timeMs - this.lastTimeMs) > gapSeconds * 1000;
    }
    return false;
  }

  touch(envelope: Envelope, lineNumber: number): void {
    this.lastLine = lineNumber;
    if (envelope.kernelTime !== null) this.lastKernelTime = envelope.kernelTime;
    if (envelope.timeMs !== null) this.lastTimeMs = envelope.timeMs;
  }

  addKill(event: KillLineEvent, envelope: Envelope, source: LineSource | undefined): Kill {
    const kill = baseKill(envelope, source);
    kill.pid = event.pid;
    kill.process = event.comm;
    kill.totalVmKb = event.totalVmKb;
    kill.anonRssKb = event.anonRssKb;
    kill.fileRssKb = event.fileRssKb;
    kill.shmemRssKb = event.shmemRssKb;
    kill.pgtablesKb = event.pgtablesKb;
    kill.uid = event.uid;
    kill.oomScoreAdj = event.oomScoreAdj;
    if (event.memcg === true) kill.cgroup = true;
    this.addKillRecord(kill);
    if (!event.sharingMemory) this.consumed = true;
    return kill;
  }

  /** A report whose kill line never came (filtered, truncated) still reports its `oom-kill:` summary's victim. */
  killFromLoneSummary(): Kill | null {
    if (this.kills.length > 0 || !this.summary) return null;
    const { event, envelope, source } = this.summary;
    const kill = baseKill(envelope, source);
    kill.pid = event.pid;
    kill.process = event.task;
    kill.uid = event.uid;
    this.addKillRecord(kill);
    return kill;
  }

  /** A `Memory cgroup stats for` header: its block follows (or, on older v1 kernels, sits on the same line). */
  openMemcgStats(memcg: string, rest: string): void {
    this.memcgStats ??= new MemcgStatsBuilder(memcg);
    this.memcgStats.addHeader(rest);
    this.block = 'memcg-stats';
  }

  /** The `active_anon:` line that opens the global counters; the lines after it continue them. */
  openMemInfo(body: string): void {
    this.memInfo ??= new MemInfoBuilder();
    this.block = this.memInfo.addLine(body) ? 'mem-info' : null;
  }

  addNodeLru(body: string): void {
    this.memInfo ??= new MemInfoBuilder();
    this.memInfo.addNodeLine(body);
  }

  /** A line while a block is open; false (and the block closed) when it is no line of the block. */
  readBlockLine(body: string): boolean {
    const read =
      this.block === 'memcg-stats'
        ? (this.memcgStats?.addLine(body) ?? false)
        : this.block === 'mem-info' && (this.memInfo?.addLine(body) ?? false);
    if (!read) this.block = null;
    return read;
  }

  addTask(row: TaskRow): void {
    if (this.tasks === null) this.tasks = [row];
    else this.tasks.push(row);
  }

  /** Most reports hold one kill: give them a one-slot list rather than a grown one. */
  addKillRecord(kill: Kill): void {
    if (this.kills.length === 0) this.kills = [kill];
    else this.kills.push(kill);
  }

  /** Copy the report-wide facts into every kill of this report. */
  complete(): void {
    const memcgStats = this.memcgStats?.finish() ?? null;
    const memInfo = this.memInfo?.finish() ?? null;
    const sortedTasks =
      this.tasks === null || this.tasks.length === 0
        ? NO_TASKS
        : [...this.tasks].sort((a, b) => (b.rssPages ?? -1) - (a.rssPages ?? -1));
    for (const kill of this.kills) {
      this.completeKill(kill, sortedTasks);
      kill.memcgStats = memcgStats;
      kill.memInfo = memInfo;
    }
  }

  private completeKill(kill: Kill, tasks: TaskRow[]): void {
    const summary = this.summary?.event ?? null;
    kill.triggeredBy = this.invoked?.comm ?? null;
    kill.gfpMask = this.invoked?.gfpMask ?? null;
    kill.order = this.invoked?.order ?? null;
    if (this.cpu && (!this.invoked || this.cpu.comm === this.invoked.comm))
      kill.triggeredByPid = this.cpu.pid;
    kill.kernelVersion = this.cpu?.kernelVersion ?? null;
    kill.constraint = summary?.constraint ?? null;
    kill.oomMemcg = summary?.oomMemcg ?? this.taskIn?.oomMemcg ?? null;
    kill.taskMemcg = summary?.taskMemcg ?? this.taskIn?.taskMemcg ?? null;
    if (summary && summary.pid === kill.pid && kill.uid === null) kill.uid = summary.uid;
    if (this.selected && this.selected.pid === kill.pid) kill.score = this.selected.score;
    kill.cgroup = this.cgroupVerdict(kill.cgroup);
    kill.memoryUsageKb = this.memcgUsage?.usageKb ?? null;
    kill.memoryLimitKb = this.memcgUsage?.limitKb ?? null;
    kill.memoryFailcnt = this.memcgUsage?.failcnt ?? null;
    const counters = this.memcgCounters;
    kill.memswUsageKb = counters?.['memory+swap']?.usageKb ?? null;
    kill.memswLimitKb = counters?.['memory+swap']?.limitKb ?? null;
    kill.kmemUsageKb = counters?.kmem?.usageKb ?? null;
    kill.kmemLimitKb = counters?.kmem?.limitKb ?? null;
    kill.memcgSwapUsageKb = counters?.swap?.usageKb ?? null;
    kill.memcgSwapLimitKb = counters?.swap?.limitKb ?? null;
    kill.swapTotalKb = this.swapTotalKb;
    kill.swapFreeKb = this.swapFreeKb;
    kill.ramPages = this.ramPages;
    kill.oomGroupMemcg = this.oomGroupMemcg;
    kill.tasks = tasks;
    const facts = cgroupFactsOf(kill.taskMemcg ?? kill.oomMemcg);
    kill.systemdUnit = facts.systemdUnit;
    kill.container = facts.container;
  }

  /** Confined to a memory cgroup when any line of the report says so; a kill with no such line was host-wide. */
  private cgroupVerdict(fromKillLine: boolean): boolean {
    return (
      fromKillLine ||
      this.summary?.event.constraint === 'CONSTRAINT_MEMCG' ||
      this.taskIn !== null ||
      this.selected?.memcg === true ||
      this.memcgUsage !== null
    );
  }
}

/** A systemd-oomd kill stands alone: one journal line, no kernel report around it. */
export function killFromOomd(event: OomdKillEvent, envelope: Envelope, source: LineSource | undefined): Kill {
  const kill = baseKill(envelope, source);
  kill.kind = 'systemd-oomd';
  kill.taskMemcg = event.cgroupPath;
  const facts = cgroupFactsOf(event.cgroupPath);
  kill.systemdUnit = facts.systemdUnit;
  kill.container = facts.container;
  kill.reason = event.reason;
  kill.cgroup = true;
  return kill;
}

/** Kills without a task table share one empty list: a batch of thousands of kill lines allocates no arrays. */
const NO_TASKS = Object.freeze([]) as unknown as TaskRow[];

function baseKill(envelope: Envelope, source: LineSource | undefined): Kill {
  let time = envelope.time;
  const fullDate = envelope.transport !== 'rfc3164' && envelope.transport !== 'dmesg-human';
  if ((!time || !fullDate) && source?.timestampMs !== undefined) time = isoOfMillis(source.timestampMs);
  return {
    kind: 'kernel' as const,
    pid: null,
    process: null,
    totalVmKb: null,
    anonRssKb: null,
    fileRssKb: null,
    shmemRssKb: null,
    pgtablesKb: null,
    uid: null,
    oomScoreAdj: null,
    score: null,
    constraint: null,
    cgroup: false,
    oomMemcg: null,
    taskMemcg: null,
    triggeredBy: null,
    triggeredByPid: null,
    gfpMask: null,
    order: null,
    hostname: envelope.host,
    time,
    kernelTime: envelope.kernelTime,
    memoryUsageKb: null,
    memoryLimitKb: null,
    memoryFailcnt: null,
    memswUsageKb: null,
    memswLimitKb: null,
    kmemUsageKb: null,
    kmemLimitKb: null,
    memcgSwapUsageKb: null,
    memcgSwapLimitKb: null,
    memcgStats: null,
    swapTotalKb: null,
    swapFreeKb: null,
    memInfo: null,
    ramPages: null,
    tasks: NO_TASKS,
    systemdUnit: null,
    container: null,
    kernelVersion: null,
    oomGroupMemcg: null,
    reapedAnonRssKb: null,
    reason: null,
    oomdCandidate: null,
    transport: source?.logStream !== undefined ? 'cloudwatch' : envelope.transport,
    origin: envelope.origin,
    kernelOnly: isKernelOnly(envelope.origin),
    logGroup: source?.logGroup ?? null,
    logStream: source?.logStream ?? null,
    eventId: source?.eventId ?? null,
  };
}

let minuteStart = Number.NaN;
let minutePrefix = '';

/**
 * Epoch milliseconds as UTC ISO 8601, or null outside the dates JavaScript can hold. The events of a batch fall
 * within a few minutes: the `YYYY-MM-DDTHH:MM:` prefix is formatted once per minute, the rest by hand. Exported
 * for `bench/detector-lower-bound.ts`, which times a kill's making as the parser makes it.
 */
export function isoOfMillis(ms: number): string | null {
  if (!Number.isInteger(ms) || Math.abs(ms) > MAX_DATE_MS) return isoFromMillis(ms);
  const offset = ms - minuteStart;
  if (!(offset >= 0 && offset < 60_000)) {
    const iso = isoFromMillis(ms);
    if (iso === null) return null;
    minuteStart = ms - (((ms % 60_000) + 60_000) % 60_000);
    minutePrefix = iso.slice(0, -7); // all but `SS.mmmZ`: years past 9999 print six digits and a sign
    return iso;
  }
  const seconds = Math.floor(offset / 1000);
  const millis = offset - seconds * 1000;
  // The short tail is built first, as one flat string: appended piece by piece to the long prefix, each piece
  // made another rope node, and the kills keep their times (about 100 bytes a kill, a tenth of what one holds).
  const tail = `${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
  return minutePrefix + tail;
}
