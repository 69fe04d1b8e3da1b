import { CHECKED_JSON_LINE_CHARS, lineCuts, skippedJson } from '../../cli/io/bounds';
import { type FeedOptions, opensMultiLineJson, pushRecord } from '../../cli/io/feed-parser';
import { type JsonRecord, JsonRecordSplitter, nestsDeeperThan, opensJson } from '../../cli/io/json-records';
import { readLineBatches } from '../../cli/io/read-lines';
import type { KernelLogParser, Kill } from '../../functions/core/kernel-log';

/**
 * The CLI's feeding as it was before `feedParser` read chunks (`readLineChunks`, `pushText`): kept as the
 * reference the differential tests hold `feedParser` to, since it is plainly right, line by line. What a line or
 * record then becomes (`pushRecord`, `opensMultiLineJson`) is shared: the feeding is what is compared.
 *
 * Feed one input to the parser line by line, passing each batch of finished kills to `emit` as it appears, so
 * output starts before a large file is read to its end. An input whose first line opens a JSON value that does
 * not close on that line is a pretty-printed JSON stream: it is read record by record (`JsonRecordSplitter`),
 * never whole. Memory stays within the limits of `bounds.ts`; what they cut is reported through `note`.
 */
export async function feedParserByLines(
  stream: AsyncIterable<Buffer | string>,
  parser: KernelLogParser,
  emit: (kills: Kill[]) => Promise<void> | void,
  options: FeedOptions = {},
): Promise<void> {
  const cuts = lineCuts();
  const skipped = skippedJson();
  let splitter: JsonRecordSplitter | null = null;
  let lineNumber = 0;
  const records: JsonRecord[] = [];
  for await (const lines of readLineBatches(stream, cuts)) {
    if (lineNumber === 0 && opensMultiLineJson(lines[0] ?? '')) splitter = new JsonRecordSplitter();
    const kills: Kill[] = [];
    for (const line of lines) {
      lineNumber++;
      if (splitter && (!splitter.idle || opensJson(line))) {
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
    if (kills.length > 0) await emit(kills);
  }
  const name = options.name ?? 'input';
  const open = splitter?.openRecordLine() ?? null;
  const notes = [cuts.note(name), skipped.note(name)];
  if (open !== null)
    notes.push(`${name}: the JSON value from line ${open} is cut off by the end of the input; skipped`);
  for (const note of notes) if (note !== null) options.note?.(note);
}
