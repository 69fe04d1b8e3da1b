const HAS_OFFSET = /(?:Z|[+-]\d\d:?\d\d)$/i;
const ISO_DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

/**
 * Milliseconds since the epoch of an ISO 8601 time, or null. A time without an offset (syslog, `dmesg -T`) is
 * read as UTC rather than in the runtime's zone (EC2 Linux hosts keep UTC by default), so the result does not
 * depend on where the code runs.
 */
export function parseTime(time: string | null | undefined): number | null {
  if (!time || !ISO_DATE_TIME.test(time)) return null;
  const ms = Date.parse(HAS_OFFSET.test(time) ? time : `${time}Z`);
  return Number.isNaN(ms) ? null : ms;
}
