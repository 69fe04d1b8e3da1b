import {
  type EnvelopeContext,
  envelopeFromJournalRecord,
  parseEnvelope,
} from '../../functions/core/kernel-log/envelope';

/** The clocks a replay reads line times against. */
export interface ReplayClock {
  /** The replay's own time (epoch ms): lines with no time of any kind are read as arriving now. */
  nowMs: number;
  /** Year-less dates (RFC 3164 syslog, `dmesg -H`) are read against this. */
  referenceDate: Date;
  /**
   * When this host booted (epoch ms), for kernel uptime stamps (`dmesg`, `/dev/kmsg`) that are this host's own
   * (`--host-exec`); null when the log comes from elsewhere.
   */
  bootMs: number | null;
}

/**
 * The time CloudWatch Logs would have stamped on each line had an agent shipped it as it was written: the line's
 * own wall-clock time when it prints one (syslog, journald, `dmesg -T`, ISO stamps); for a kernel uptime stamp,
 * when its boot started plus the stamp (`bootTimes`); otherwise the time of the line before (a report's
 * continuation lines), or now. Pure.
 */
export function lineTimes(lines: readonly string[], clock: ReplayClock): number[] {
  const context: EnvelopeContext = { referenceDate: clock.referenceDate };
  const wall: (number | null)[] = [];
  const uptime: (number | null)[] = [];
  for (const line of lines) {
    const envelope = (line.startsWith('{') ? journalEnvelope(line) : null) ?? parseEnvelope(line, context);
    wall.push(envelope.timeMs);
    uptime.push(envelope.kernelTime);
  }
  const boots = bootTimes(uptime, clock);
  const times: (number | null)[] = wall.map((ms, i) => {
    if (ms !== null) return ms;
    const stamp = uptime[i];
    return stamp === null || stamp === undefined
      ? null
      : Math.round((boots[i] ?? clock.nowMs) + stamp * 1000);
  });
  let last = times.find((ms) => ms !== null) ?? clock.nowMs;
  return times.map((ms) => {
    if (ms !== null) last = ms;
    return last;
  });
}

/** Boots laid end to end are this far apart: enough to keep their kills in separate incidents' order. */
const BETWEEN_BOOTS_MS = 60_000;

/**
 * When the kernel behind each line's uptime stamp booted (epoch ms). A stamp more than a second below the one
 * before starts another boot (logs of several boots, one after the other). The last boot is this host's own
 * boot when its stamps are this host's and fit in its uptime, else it ends now; earlier boots end just before
 * the next one starts, so no two boots' lines interleave once sorted by time.
 */
function bootTimes(uptime: readonly (number | null)[], clock: ReplayClock): number[] {
  const segments: { from: number; first: number; last: number; boot: number }[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  uptime.forEach((stamp, i) => {
    if (stamp === null) return;
    const current = segments.at(-1);
    if (!current || stamp < previous - 1) segments.push({ from: i, first: stamp, last: stamp, boot: 0 });
    else current.last = Math.max(current.last, stamp);
    previous = stamp;
  });
  let nextStart = clock.nowMs + BETWEEN_BOOTS_MS;
  for (let s = segments.length - 1; s >= 0; s--) {
    const segment = segments[s];
    if (!segment) continue;
    const own = s === segments.length - 1 && clock.bootMs !== null;
    segment.boot =
      own && clock.bootMs !== null && clock.bootMs + segment.last * 1000 <= clock.nowMs
        ? clock.bootMs
        : nextStart - BETWEEN_BOOTS_MS - segment.last * 1000;
    nextStart = segment.boot + segment.first * 1000;
  }
  const boots: number[] = [];
  let at = 0;
  for (let i = 0; i < uptime.length; i++) {
    while (at + 1 < segments.length && (segments[at + 1]?.from ?? Number.POSITIVE_INFINITY) <= i) at++;
    boots.push(segments[at]?.boot ?? clock.nowMs);
  }
  return boots;
}

/** A `journalctl -o json` line's own envelope, or null when the line is not a journal record. */
function journalEnvelope(line: string): ReturnType<typeof envelopeFromJournalRecord> {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    return envelopeFromJournalRecord(value as Record<string, unknown>);
  } catch {
    return null;
  }
}
