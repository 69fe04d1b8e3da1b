import { KernelLogParser, type Kill } from '../kernel-log';
import type { DetectConfig } from './config';
import type { DetectTelemetry, LogContextReader } from './ports';

/** A kill with the time CloudWatch Logs received it. */
export interface ObservedKill {
  kill: Kill;
  observedAtMs: number;
}

/**
 * The subscription filter passes only the lines that match it, so a kill arrives without its task table, memory
 * summary or trigger. Read the same stream around each kill (one read per cluster of nearby kills), parse it again,
 * and put the fuller report in place of each kill it contains. A failed read degrades to the kill as received.
 */
export async function withFullReports(
  kills: ObservedKill[],
  reader: LogContextReader,
  config: Pick<DetectConfig, 'contextBeforeMs' | 'contextAfterMs'>,
  telemetry: DetectTelemetry,
): Promise<ObservedKill[]> {
  const result = [...kills];
  for (const window of contextWindows(kills, config)) {
    let fuller: Kill[];
    try {
      const events = await reader.readWindow(window);
      fuller = parseWindow(events, window);
    } catch (error) {
      telemetry.count('ContextFetchFailures');
      telemetry.warn('could not read the lines around the kill; using the kill line alone', {
        logGroup: window.logGroup,
        logStream: window.logStream,
        error: (error as Error).message,
      });
      continue;
    }
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
