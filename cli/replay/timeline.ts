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

/** One line's time for the replay, and whether the replay made it up. */
export interface LineTime {
  /** Epoch ms: what CloudWatch Logs would have stamped on the line. */
  ms: number;
  /**
   * True when the log gave no wall-clock time for the line: no date of its own, and a kernel uptime stamp of
   * another host's boot (no `--host-exec`), or no stamp at all. The replay needs a time to order and group lines,
   * but it is not when the kill happened, and a message must not say it is.
   */
  madeUp: boolean;
}

/**
 * The time CloudWatch Logs would have stamped on each line had an agent shipped it as it was written: the line's
 * own wall-clock time when it prints one (syslog, journald, `dmesg -T`, ISO stamps); for a kernel uptime stamp,
 * when its boot started plus the stamp (`bootTimes`); otherwise the time of the line before (a report's
 * continuation lines), or now. Pure.
 */
export function lineTimes(lines: readonly string[], clock: ReplayClock): number[] {
  return lineClock(lines, clock).map((time) => time.ms);
}

/** `lineTimes`, each with whether the replay made it up (`LineTime.madeUp`). Pure. */
export function lineClock(lines: readonly string[], clock: ReplayClock): LineTime[] {
  const context: EnvelopeContext = { referenceDate: clock.referenceDate };
  const wall: (number | null)[] = [];
  const uptime: (number | null)[] = [];
  for (const line of lines) {
    const envelope = (line.startsWith('{') ? journalEnvelope(line) : null) ?? parseEnvelope(line, context);
    wall.push(envelope.timeMs);
    uptime.push(envelope.kernelTime);
  }
  const boots = bootTimes(uptime, clock);
  const times: (LineTime | null)[] = wall.map((ms, i) => {
    if (ms !== null) return { ms, madeUp: false };
    const stamp = uptime[i];
    if (stamp === null || stamp === undefined) return null;
    const boot = boots[i];
    return { ms: Math.round((boot?.ms ?? clock.nowMs) + stamp * 1000), madeUp: !boot?.own };
  });
  let last: LineTime = times.find((time) => time !== null) ?? { ms: clock.nowMs, madeUp: true };
  return times.map((time) => {
    if (time !== null) last = time;
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
function bootTimes(uptime: readonly (number | null)[], clock: ReplayClock): { ms: number; own: boolean }[] {
  const segments: { from: number; first: number; last: number; boot: number; own: boolean }[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  uptime.forEach((stamp, i) => {
    if (stamp === null) return;
    const current = segments.at(-1);
    if (!current || stamp < previous - 1)
      segments.push({ from: i, first: stamp, last: stamp, boot: 0, own: false });
    else current.last = Math.max(current.last, stamp);
    previous = stamp;
  });
  let nextStart = clock.nowMs + BETWEEN_BOOTS_MS;
  for (let s = segments.length - 1; s >= 0; s--) {
    const segment = segments[s];
    if (!segment) continue;
    const last = s === segments.length - 1 && clock.bootMs !== null;
    // This host's own boot only when the stamps fit in its uptime: then the time is the kill's, not made up.
    segment.own = last && clock.bootMs !== null && clock.bootMs + segment.last * 1000 <= clock.nowMs;
    segment.boot =
      segment.own && clock.bootMs !== null
        ? clock.bootMs
        : nextStart - BETWEEN_BOOTS_MS - segment.last * 1000;
    nextStart = segment.boot + segment.first * 1000;
  }
  const boots: { ms: number; own: boolean }[] = [];
  let at = 0;
  for (let i = 0; i < uptime.length; i++) {
    while (at + 1 < segments.length && (segments[at + 1]?.from ?? Number.POSITIVE_INFINITY) <= i) at++;
    const segment = segments[at];
    boots.push({ ms: segment?.boot ?? clock.nowMs, own: segment?.own ?? false });
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
