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
 * Feed one input to the parser, passing each batch of finished kills to `emit` as it appears (one batch per chunk
 * of the stream), so output starts before a large file is read to its end. Memory stays within the limits of
 * `bounds.ts`; what they cut is reported through `note`.
 *
 * Bytes go to the parser undecoded (`pushBytes`, which decodes only the lines it reads) while every line is
 * short: no line then needs a cut, and none is a JSON document long enough to need its nesting checked. From the
 * first line that is not (or a chunk of text, or an input whose first line opens a pretty-printed JSON stream),
 * the rest of the input is read as text (`feedText`), numbered on from the lines fed so far.
 */
export async function feedParser(
  stream: AsyncIterable<Buffer | string>,
  parser: KernelLogParser,
  emit: (kills: Kill[]) => Promise<void> | void,
  options: FeedOptions = {},
): Promise<void> {
  const cuts = lineCuts();
  const skipped = skippedJson();
  const rest = await feedBytes(stream, parser, emit);
  const splitter = rest ? await feedText(rest, parser, emit, cuts, skipped) : null;
  const name = options.name ?? 'input';
  const open = splitter?.openRecordLine() ?? null;
  const notes = [cuts.note(name), skipped.note(name)];
  if (open !== null)
    notes.push(`${name}: the JSON value from line ${open} is cut off by the end of the input; skipped`);
  for (const note of notes) if (note !== null) options.note?.(note);
}

/** Where the byte path hands the input to the text path. */
interface TextRest {
  /** The rest of the input, from a line's start. */
  readonly stream: AsyncIterable<Buffer | string>;
  /** The number of its first line. */
  readonly firstLine: number;
  /** Kills of the chunk being read when the text path took over, for its first batch. */
  readonly kills: Kill[];
}

/**
 * The input to the parser as bytes, as long as it holds only lines of at most `CHECKED_JSON_LINE_CHARS` bytes
 * (so at most as many characters: no cut, no nesting check); the rest of the input for the text path when it
 * does not, or null when all of it was fed. The line that straddles two chunks is fed on its own, so that the
 * rest of a chunk is fed as a view of it, not a copy.
 */
async function feedBytes(
  stream: AsyncIterable<Buffer | string>,
  parser: KernelLogParser,
  emit: (kills: Kill[]) => Promise<void> | void,
): Promise<TextRest | null> {
  const iterator = stream[Symbol.asyncIterator]();
  const fedBefore = parser.linesFed;
  /** The start of a line not ended yet (at most `CHECKED_JSON_LINE_CHARS` bytes), in pieces. */
  let carry: Buffer[] = [];
  let carried = 0;
  let atStart = true;
  const handOver = async (head: (Buffer | string)[], kills: Kill[]): Promise<TextRest> => {
    // The text path's first batch holds the rest of this chunk's lines when one ends in it; else this chunk's
    // batch ends here, as it would have read as text.
    const lineEnds = head.some((piece) => piece.includes('\n'));
    if (!lineEnds && kills.length > 0) await emit(kills);
    return {
      stream: resumed(head, iterator),
      firstLine: parser.linesFed - fedBefore + 1,
      kills: lineEnds ? kills : [],
    };
  };
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const chunk = next.value;
    if (typeof chunk === 'string') return handOver([...carry, chunk], []);
    const kills: Kill[] = [];
    const last = chunk.lastIndexOf(10) + 1;
    let from = 0;
    if (last > 0 && carried > 0) {
      from = chunk.indexOf(10) + 1;
      carry.push(chunk.subarray(0, from));
      const line = Buffer.concat(carry, carried + from);
      carry = [];
      carried = 0;
      if (longLineAt(line, 0, CHECKED_JSON_LINE_CHARS) >= 0 || !feedRun(line, parser, kills, atStart))
        return handOver([line, chunk.subarray(from)], kills);
      atStart = false;
    }
    if (last > from) {
      const run = chunk.subarray(from, last);
      const long = longLineAt(run, 0, CHECKED_JSON_LINE_CHARS);
      if (!feedRun(long < 0 ? run : run.subarray(0, long), parser, kills, atStart))
        return handOver([chunk.subarray(from)], kills);
      if (long >= 0) return handOver([chunk.subarray(from + long)], kills);
      atStart = false;
    }
    if (last < chunk.length) {
      carry.push(last === 0 ? chunk : chunk.subarray(last));
      carried += chunk.length - last;
      if (carried > CHECKED_JSON_LINE_CHARS) return handOver(carry, kills);
    }
    if (kills.length > 0) await emit(kills);
  }
  // The input's last line, with no newline after it.
  if (carried > 0) {
    const line = Buffer.concat(carry, carried);
    const kills: Kill[] = [];
    if (!feedRun(line, parser, kills, atStart)) return handOver([line], kills);
    if (kills.length > 0) await emit(kills);
  }
  return null;
}

/**
 * `run` (whole lines of at most `CHECKED_JSON_LINE_CHARS` bytes) to the parser as bytes; false, feeding
 * nothing, when `run` starts the input and its first line opens a pretty-printed JSON stream, which the text
 * path reads.
 */
function feedRun(run: Buffer, parser: KernelLogParser, kills: Kill[], atStart: boolean): boolean {
  if (atStart) {
    const newline = run.indexOf(10);
    if (opensMultiLineJson(run.toString('utf8', 0, newline < 0 ? run.length : newline))) return false;
  }
  if (run.length === 0) return true;
  const done = parser.pushBytes(run);
  if (done.length > 0) for (const kill of done) kills.push(kill);
  return true;
}

/** `head`, then what `iterator` has left. */
async function* resumed(
  head: (Buffer | string)[],
  iterator: AsyncIterator<Buffer | string>,
): AsyncGenerator<Buffer | string> {
  yield* head;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
}

/**
 * The rest of the input read as text, chunk by chunk (`readLineChunks`). An input whose first line opens a JSON
 * value that does not close on that line is a pretty-printed JSON stream: it is read line by line and record by
 * record (`JsonRecordSplitter`), never whole; returns its splitter, to say whether a record was left open.
 */
async function feedText(
  rest: TextRest,
  parser: KernelLogParser,
  emit: (kills: Kill[]) => Promise<void> | void,
  cuts: LineTally,
  skipped: LineTally,
): Promise<JsonRecordSplitter | null> {
  let splitter: JsonRecordSplitter | null = null;
  let first = rest.firstLine === 1;
  let kills = rest.kills;
  for await (const runs of readLineChunks(rest.stream, cuts, rest.firstLine)) {
    if (first && opensMultiLineJson(firstLineOf(runs[0]?.text ?? ''))) splitter = new JsonRecordSplitter();
    first = false;
    for (const run of runs) {
      if (splitter) feedLines(run, splitter, parser, kills, skipped);
      else feedTextRun(run, parser, kills, skipped);
    }
    if (kills.length > 0) await emit(kills);
    kills = [];
  }
  if (kills.length > 0) await emit(kills);
  return splitter;
}

/**
 * The chunk to the parser as text, but for the lines of JSON too long to build before their nesting is checked
 * (`CHECKED_JSON_LINE_CHARS`), which are found without splitting (`longLineAt`) and skipped when too deep.
 */
function feedTextRun(chunk: LineRun, parser: KernelLogParser, kills: Kill[], skipped: LineTally): void {
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

/** A record of a pretty-printed JSON stream to the parser as a document, or counted in `skipped` when it is no JSON. */
export function pushRecord(
  record: JsonRecord,
  parser: KernelLogParser,
  kills: Kill[],
  skipped: LineTally,
): void {
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
export function opensMultiLineJson(line: string): boolean {
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
