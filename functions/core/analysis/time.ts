const HAS_OFFSET = /(?:Z|[+-]\d\d:?\d\d)$/i;
const ISO_DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

/**
 * Milliseconds since the epoch of an ISO 8601 time, or null. A time without an offset (syslog, `dmesg -T`) is
 * read as UTC rather than in the runtime's zone, so the result does not depend on where the code runs.
 */
export function parseTime(time: string | null | undefined): number | null {
  if (!time || !ISO_DATE_TIME.test(time)) return null;
  const ms = Date.parse(HAS_OFFSET.test(time) ? time : `${time}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** `45 min`, `26 h`, `3.5 d`: how far apart two kills were, for evidence lines. */
export function formatSpan(ms: number): string {
  const minutes = Math.max(0, ms) / 60_000;
  if (minutes < 90) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${Math.round(hours)} h`;
  const days = hours / 24;
  return `${days < 10 ? days.toFixed(1) : Math.round(days)} d`;
}
