import { clipText } from '../incident/bounded-text';
import type { ReportGap } from '../incident/model';
import { KernelLogParser, type Kill } from '../kernel-log';
import type { DetectConfig } from './config';
import { ContextReadRefusedError } from './context-budget';
import { groupByHostAndCooldown } from './host-groups';
import type { DetectTelemetry, LogContextReader } from './ports';

/** A kill with the time CloudWatch Logs received it. */
export interface ObservedKill {
  kill: Kill;
  observedAtMs: number;
  /** Set when the stream around the kill was not read: the kill is as its own lines told it. */
  reportGap?: ReportGap;
}

/**
 * The subscription filter passes only the lines that match it, so a kill arrives without its task table, memory
 * summary or trigger. Read the same stream around each kill (one read per cluster of nearby kills), parse it again,
 * and put the fuller report in place of each kill it contains. Clusters holding a kill that may open an incident
 * are read first: its report is the one the incident's message shows, so a spent budget costs joined kills first.
 *
 * A read that fails or is refused (its budget spent, the deadline near: `ContextReadBudget`) degrades: the kill is
 * recorded as received, with a `reportGap` saying why, which the incident keeps and the message shows. After one
 * such read no other is tried in this invocation: a batch is one stream, so the next read would be throttled,
 * denied or refused the same way, and each try costs time and the account's shared GetLogEvents rate.
 */
export async function withFullReports(
  kills: ObservedKill[],
  reader: LogContextReader,
  config: Pick<DetectConfig, 'contextBeforeMs' | 'contextAfterMs' | 'cooldownMs'>,
  telemetry: DetectTelemetry,
): Promise<ObservedKill[]> {
  const result = [...kills];
  let stopped: ReportGap | null = null;
  for (const window of openersFirst(contextWindows(kills, config), kills, config.cooldownMs)) {
    const read: WindowRead = stopped ? { gap: stopped } : await readFuller(window, reader);
    if ('gap' in read) {
      if (!stopped) {
        telemetry.warn('could not read the lines around the kill; using the kill line alone', {
          logGroup: window.logGroup,
          logStream: window.logStream,
          reason: read.gap.reason,
          error: read.gap.detail,
        });
      }
      stopped = read.gap;
      // One count per window left without its report, read or not: what the metric's alarm and graph show.
      telemetry.count('ContextFetchFailures');
      for (const index of window.members) {
        const observed = result[index];
        if (observed) result[index] = { ...observed, reportGap: read.gap };
      }
      continue;
    }
    const fuller = read.kills;
    for (const index of window.members) {
      const observed = result[index];
      if (!observed) continue;
      const match = fuller.find((candidate) => sameKill(candidate, observed.kill));
      if (match && isFuller(match, observed.kill)) {
        result[index] = {
          observedAtMs: observed.observedAtMs,
          kill: {
            ...match,
            eventId: observed.kill.eventId,
            logGroup: observed.kill.logGroup,
            logStream: observed.kill.logStream,
          },
        };
      }
    }
  }
  return result;
}

/**
 * The windows, those holding a kill that may open an incident first (the first kill of a group as the detector
 * cuts them, `groupByHostAndCooldown`), each part in its order.
 */
function openersFirst(windows: ContextWindow[], kills: ObservedKill[], cooldownMs: number): ContextWindow[] {
  // Every kill of a batch carries the batch's stream, so the fallback stream is never reached.
  const openers = new Set(groupByHostAndCooldown(kills, '', cooldownMs).map((group) => group.kills[0]));
  const opens = (window: ContextWindow): boolean => window.members.some((index) => openers.has(kills[index]));
  return [...windows.filter(opens), ...windows.filter((window) => !opens(window))];
}

/** What reading a window gave: the kills its lines hold, or why there are none. */
type WindowRead = { kills: Kill[] } | { gap: ReportGap };

async function readFuller(window: ContextWindow, reader: LogContextReader): Promise<WindowRead> {
  try {
    return { kills: parseWindow(await reader.readWindow(window), window) };
  } catch (error) {
    return { gap: gapOf(error) };
  }
}

/** Why a read gave nothing: refused by the budget, or failed (the error's name and message, on one line). */
function gapOf(error: unknown): ReportGap {
  if (error instanceof ContextReadRefusedError) return { reason: error.reason, detail: error.message };
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  return { reason: 'failed', detail: clipText(`${name}: ${message}`.replace(/\s+/g, ' '), 200) };
}

interface ContextWindow {
  logGroup: string;
  logStream: string;
  startMs: number;
  endMs: number;
  /** The last kill's own time: once read up to here, every report line before the kills is in. */
  coverMs: number;
  /** Indexes into the kills this window covers. */
  members: number[];
}

/** One window per stream and cluster of kills whose windows overlap. */
function contextWindows(
  kills: ObservedKill[],
  config: Pick<DetectConfig, 'contextBeforeMs' | 'contextAfterMs'>,
): ContextWindow[] {
  const order = kills
    .map((observed, index) => ({ observed, index }))
    .filter(({ observed }) => observed.kill.logGroup !== null && observed.kill.logStream !== null)
    .sort((a, b) => a.observed.observedAtMs - b.observed.observedAtMs);
  const windows: ContextWindow[] = [];
  for (const { observed, index } of order) {
    const logGroup = observed.kill.logGroup ?? '';
    const logStream = observed.kill.logStream ?? '';
    const startMs = observed.observedAtMs - config.contextBeforeMs;
    // endTime is exclusive in GetLogEvents.
    const endMs = observed.observedAtMs + config.contextAfterMs + 1;
    const open = windows.find(
      (w) => w.logGroup === logGroup && w.logStream === logStream && startMs <= w.endMs,
    );
    if (open) {
      open.endMs = Math.max(open.endMs, endMs);
      open.coverMs = Math.max(open.coverMs, observed.observedAtMs);
      open.members.push(index);
    } else {
      windows.push({ logGroup, logStream, startMs, endMs, coverMs: observed.observedAtMs, members: [index] });
    }
  }
  return windows;
}

function parseWindow(events: { timestamp: number; message: string }[], window: ContextWindow): Kill[] {
  const parser = new KernelLogParser({ referenceDate: new Date(window.endMs) });
  const kills: Kill[] = [];
  for (const event of events) {
    const source = { logGroup: window.logGroup, logStream: window.logStream, timestampMs: event.timestamp };
    for (const line of event.message.split('\n')) kills.push(...parser.pushLine(line, source));
  }
  kills.push(...parser.end());
  return kills;
}

function sameKill(a: Kill, b: Kill): boolean {
  if (a.kind !== b.kind || a.pid !== b.pid || a.process !== b.process) return false;
  if (a.kernelTime !== null && b.kernelTime !== null) return a.kernelTime === b.kernelTime;
  return a.hostname === b.hostname;
}

function isFuller(candidate: Kill, received: Kill): boolean {
  const facts = (kill: Kill): number =>
    kill.tasks.length +
    (kill.triggeredBy === null ? 0 : 1) +
    (kill.memoryLimitKb === null ? 0 : 1) +
    (kill.constraint === null ? 0 : 1) +
    (kill.swapTotalKb === null ? 0 : 1);
  return facts(candidate) >= facts(received);
}
