import { UsageError } from '../usage-error';

/**
 * The limits on what the CLI holds of its input at once, in one place. Lengths are in UTF-16 code units, the
 * length of the decoded string (one per character for ASCII, so 1 MiB of ASCII is 1 MiB of bytes).
 */

const MiB = 1024 * 1024;

/**
 * Longest text line kept whole. A kernel line is at most about 1 KiB (printk's buffer) and journald cuts fields
 * at 48 KiB, so a longer line is no kernel message: its first 1 MiB is kept (a kill line followed by binary
 * junk, as a crash leaves in syslog, still counts) and the rest skipped up to the next newline, with a note.
 */
export const MAX_LINE_CHARS = MiB;

/**
 * Largest JSON value read as one piece: a line that starts with `{` (a subscription event, a decoded batch,
 * `aws logs get-log-events` output on one line), or one record of a pretty-printed stream. A decoded
 * subscription batch holds up to about 1 MiB of log events, twice that with its JSON; this leaves room.
 */
export const MAX_JSON_VALUE_CHARS = 16 * MiB;

/**
 * A "line" that goes on this long without a newline is no log (`/dev/zero`, a disk image): reading stops with
 * an error instead of skipping forever. Runs of NUL bytes left in syslog by a crash are far shorter.
 */
export const MAX_LINE_RUN_CHARS = 64 * MiB;

/**
 * Deepest JSON nesting read: a journald record is 2 levels deep, `aws logs get-log-events` output 3, an array of
 * subscription batches 4. Deeper input is no log export, and is refused before anything recurses into it.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * A line of JSON this long could nest deep enough to be costly to build: its nesting is checked before it is
 * parsed. Shorter lines cannot (32,768 levels of `[` take a few MB at most).
 */
export const CHECKED_JSON_LINE_CHARS = 64 * 1024;

/** How many cut lines a note names by number; the count covers them all. */
export const MAX_NAMED_LINES = 5;

/** Input past a limit that cannot be read around: exit status 2, with what was exceeded and where. */
export class InputBoundError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'InputBoundError';
  }
}

/** `1 MiB` for a limit in characters: how limits are shown to users. */
export function mib(chars: number): string {
  return `${chars / MiB} MiB`;
}

/** Lines of one input that something happened to (cut to a limit, skipped), for one note on stderr. */
export class LineTally {
  count = 0;
  readonly lines: number[] = [];

  /** `what` says what happened to each line, for the note: "cut ... to that length". */
  constructor(private readonly what: (count: number) => string) {}

  add(lineNumber: number): void {
    this.count++;
    if (this.lines.length < MAX_NAMED_LINES) this.lines.push(lineNumber);
  }

  /** The note for input `name`, or null when no line was tallied. */
  note(name: string): string | null {
    if (this.count === 0) return null;
    const more = this.count > this.lines.length ? ', ...' : '';
    return `${name}: ${this.what(this.count)} (${this.count === 1 ? 'line' : 'lines'} ${this.lines.join(', ')}${more})`;
  }
}

const lines = (count: number): string => `${count} ${count === 1 ? 'line' : 'lines'}`;

/** The lines `readLineBatches` cut to their limit. */
export function lineCuts(): LineTally {
  return new LineTally(
    (count) =>
      `cut ${lines(count)} longer than ${mib(MAX_LINE_CHARS)} (${mib(MAX_JSON_VALUE_CHARS)} for JSON) to that length, skipping the rest`,
  );
}

/** JSON values that were not read: nested too deep, or not parseable. */
export function skippedJson(): LineTally {
  return new LineTally(
    (count) =>
      `skipped ${count} JSON ${count === 1 ? 'value' : 'values'} that did not parse or nested deeper than ${MAX_JSON_DEPTH} levels`,
  );
}
