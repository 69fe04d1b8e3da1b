import type { KernelLogParser, Kill } from '../../functions/core/kernel-log';
import { CHECKED_JSON_LINE_CHARS, type LineTally, lineCuts, MAX_JSON_DEPTH, skippedJson } from './bounds';
import { type JsonRecord, JsonRecordSplitter, nestsDeeperThan, opensJson } from './json-records';
import { longLineAt, newlinesIn } from './line-limits';
import { type LineRun, readLineChunks } from './read-chunks';

export interface FeedOptions {
  /** The input's name, for notes. @default 'input' */
  name?: string;
  /** Receives one line per note on what was cut or skipped (none when the input was read whole). */
  note?: (text: string) => void;
}

/**
 * Feed one input to the parser, passing each batch of finished kills to `emit` as it appears, so output starts
 * before a large file is read to its end. A chunk of text goes to the parser whole (`pushText`), but for a long
 * line of JSON that nests too deep to build, which is skipped. An input whose first line opens a JSON value that
 * does not close on that line is a pretty-printed JSON stream: it is read line by line and record by record
 * (`JsonRecordSplitter`), never whole. Memory stays within the limits of `bounds.ts`; what they cut is reported
 * through `note`.
 */
export async function feedParser(
  stream: AsyncIterable<Buffer | string>,
  parser: KernelLogParser,
  emit: (kills: Kill[]) => Promise<void> | void,
  options: FeedOptions = {},
): Promise<void> {
  const cuts = lineCuts();
  const skipped = skippedJson();
  let splitter: JsonRecordSplitter | null = null;
  let first = true;
  for await (const runs of readLineChunks(stream, cuts)) {
    if (first && opensMultiLineJson(firstLineOf(runs[0]?.text ?? ''))) splitter = new JsonRecordSplitter();
    first = false;
    const kills: Kill[] = [];
    for (const run of runs) {
      if (splitter) feedLines(run, splitter, parser, kills, skipped);
      else feedText(run, parser, kills, skipped);
    }
    if (kills.length > 0) await emit(kills);
  }
  const name = options.name ?? 'input';
  const open = splitter?.openRecordLine() ?? null;
  const notes = [cuts.note(name), skipped.note(name)];
  if (open !== null)
    notes.push(`${name}: the JSON value from line ${open} is cut off by the end of the input; skipped`);
  for (const note of notes) if (note !== null) options.note?.(note);
}

/**
 * The chunk to the parser as text, but for the lines of JSON too long to build before their nesting is checked
 * (`CHECKED_JSON_LINE_CHARS`), which are found without splitting (`longLineAt`) and skipped when too deep.
 */
function feedText(chunk: LineRun, parser: KernelLogParser, kills: Kill[], skipped: LineTally): void {
  const { text } = chunk;
  let kept = 0;
  let lineNumber = chunk.firstLine;
  let counted = 0;
  for (let long = longLineAt(text, 0, CHECKED_JSON_LINE_CHARS); long >= 0; ) {
    let end = text.indexOf('\n', long);
    if (end < 0) end = text.length;
    if (text.charCodeAt(long) === 123 /* { */ && nestsDeeperThan(text.slice(long, end))) {
      pushText(text.slice(kept, long), parser, kills);
      lineNumber += newlinesIn(text, counted, long);
      counted = long;
      skipped.add(lineNumber);
      kept = end + 1;
    }
    long = end < text.length ? longLineAt(text, end + 1, CHECKED_JSON_LINE_CHARS) : -1;
  }
  pushText(kept === 0 ? text : text.slice(kept), parser, kills);
}

function pushText(text: string, parser: KernelLogParser, kills: Kill[]): void {
  if (text.length === 0) return;
  const done = parser.pushText(text);
  if (done.length > 0) for (const kill of done) kills.push(kill);
}

/** A pretty-printed JSON stream: its lines to the splitter while a value is open or opens, the rest to the parser. */
function feedLines(
  chunk: LineRun,
  splitter: JsonRecordSplitter,
  parser: KernelLogParser,
  kills: Kill[],
  skipped: LineTally,
): void {
  const lines = chunk.text.split('\n');
  // The newline that ends the last line leaves an empty string after it, which is no line.
  if (chunk.text.endsWith('\n')) lines.pop();
  const records: JsonRecord[] = [];
  let lineNumber = chunk.firstLine - 1;
  for (const line of lines) {
    lineNumber++;
    if (!splitter.idle || opensJson(line)) {
      splitter.push(line, lineNumber, records);
      for (const record of records) pushRecord(record, parser, kills, skipped);
      records.length = 0;
      continue;
    }
    if (line.charCodeAt(0) === 123 && line.length > CHECKED_JSON_LINE_CHARS && nestsDeeperThan(line)) {
      skipped.add(lineNumber);
      continue;
    }
    const done = parser.pushLine(line);
    // Most lines finish no kill: test before iterating, which spares an iterator per line.
    if (done.length > 0) for (const kill of done) kills.push(kill);
  }
}

function pushRecord(record: JsonRecord, parser: KernelLogParser, kills: Kill[], skipped: LineTally): void {
  let value: unknown;
  try {
    value = JSON.parse(record.text);
  } catch {
    skipped.add(record.line);
    return;
  }
  for (const kill of parser.pushDocument(value)) kills.push(kill);
}

function firstLineOf(text: string): string {
  const newline = text.indexOf('\n');
  return newline < 0 ? text : text.slice(0, newline);
}

/** A JSON value opening on this line and not closing on it. */
function opensMultiLineJson(line: string): boolean {
  if (!opensJson(line)) return false;
  // Too deep to build: the splitter refuses it with a clear error.
  if (line.length > CHECKED_JSON_LINE_CHARS && nestsDeeperThan(line, MAX_JSON_DEPTH)) return true;
  try {
    JSON.parse(line);
    return false;
  } catch {
    return true;
  }
}
