/**
 * The prefilter's specification as data: the phrases `mayBelongToReport` and `mayOpenReport` (prefilter.ts) look
 * for, every spelling of an optional part or a count written out, and the few patterns that are not one phrase.
 *
 * Three places hold these phrases, each rewritten its own way for speed: prefilter.ts's patterns, the WebAssembly
 * scan's checks (wasm/line-scan.ts) and its second set's (wasm/opening-line.ts). None can be generated from the
 * others (their phrases are found from hand-chosen anchors and fingerprints), so all three are held to this list
 * instead: prefilter.property.test.ts and may-open-report.property.test.ts compare the patterns with the plain
 * patterns below; wasm-line-scan.property.test.ts and its opening set's test find every phrase here in both scans
 * at every offset of a long line, every alignment of the chunk and at the chunk's end, and read the wasm sources'
 * phrases to check each belongs here. A phrase added to the prefilter is added here first: the tests then fail
 * for each place that lacks it. Only tests import this file.
 */

/** `mayBelongToReport`'s phrases. */
export const REPORT_PHRASES: readonly string[] = [
  'oom',
  'ill process',
  'illed process',
  'emory',
  'Mem-Info',
  'swap =',
  'swap  =',
  'pages RAM',
  'Task in',
  'Tasks in',
  'pid ]',
  'pid  ]',
  'omm: ',
  'due to',
  'awslogs',
  'logEvents',
  '"events"',
];

/**
 * `mayBelongToReport`'s one pattern: a task-table row, where a message can start (at the line's start or after
 * `: ` or `] `, the end of a transport's prefix).
 */
export const TASK_ROW = String.raw`(?:^|[:\]] )\[ {0,10}\d{1,10}\] {1,10}-?\d`;

/** Rows `TASK_ROW` takes anywhere in a line, at the limits of its counts. */
export const TASK_ROWS: readonly string[] = [
  ': [1] 5',
  '] [ 1234]     0',
  ': [          1234567890]          -1',
  '] [1] -1',
];

/** `mayBelongToReport` as one plain pattern: what prefilter.ts's `ANCHORED` must answer on every line. */
export const REPORT_SPECIFICATION = new RegExp([...REPORT_PHRASES.map(escaped), TASK_ROW].join('|'));

/**
 * `mayOpenReport`'s phrases. Its patterns (`OPENING_PATTERNS`) take `\s`, which UTF-8 spells with bytes above 127
 * for some characters (U+00A0, U+3000, ...).
 */
export const OPENING_PHRASES: readonly string[] = [
  'oom',
  'ill process',
  'illed process',
  ': usage',
  'emory cgroup',
  'Mem-Info',
  'ctive_anon:',
  'swap =',
  'swap  =',
  'pages RAM',
  'Task in',
  'Tasks in',
  'omm: ',
  'Killed /',
  'awslogs',
  'logEvents',
  '"events"',
];

/** `mayOpenReport`'s patterns: the task table's header, a bracketed number (a row), a `dmesg -H` clock. */
export const OPENING_PATTERNS: readonly string[] = [
  String.raw`pid\s*\]`,
  String.raw`(?:^|[^A-Za-z0-9_])\[\s{0,10}\d{1,10}\]`,
  String.raw`\d\d:\d\d\s*\]`,
];

/** Spellings `OPENING_PATTERNS` take anywhere in a line, white space in and out of ASCII. */
export const OPENING_EXAMPLES: readonly string[] = [
  'pid]',
  'pid  ]',
  'pid\t]',
  'pid\u00a0]',
  ' [1234]',
  ' [ \t 12]',
  ' [\u3000\u00a012]',
  ' [          1234567890]',
  '16:58]',
  '16:58 \u00a0]',
  '16:58\u2000]',
];

/** What makes a line starting with `{` always read: JSON that can hide a phrase (an escape, an array value). */
export const JSON_HIDING = String.raw`\\|"\s*:\s*\[`;

/** Spellings `JSON_HIDING` takes. */
export const JSON_HIDING_EXAMPLES: readonly string[] = ['\\', '":[', '" :\t[', '"a"\u00a0:\ufeff['];

const OPENING_SPECIFICATION = new RegExp([...OPENING_PHRASES.map(escaped), ...OPENING_PATTERNS].join('|'));
const JSON_HIDING_SPECIFICATION = new RegExp(JSON_HIDING);

/** `mayOpenReport` as plain patterns: what prefilter.ts's `mayOpenReport` must answer on every line. */
export function opensReportBySpecification(line: string): boolean {
  return OPENING_SPECIFICATION.test(line) || (line.startsWith('{') && JSON_HIDING_SPECIFICATION.test(line));
}

/** `text` as a pattern that matches it literally. */
function escaped(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
