import { createReadStream } from 'node:fs';
import { readLineBatches } from '../cli/io/read-lines';
import { KernelLogParser } from '../functions/core/kernel-log';
import { parseEnvelope } from '../functions/core/kernel-log/envelope';
import { classifyKernelMessage } from '../functions/core/kernel-log/messages';
import { isHumanClockLine, mayBelongToReport, mayOpenReport } from '../functions/core/kernel-log/prefilter';

/**
 * The cost of each line the parser reads in full (the lines a report's open state or the prefilter lets
 * through), apart from the chunk scan that skips the rest: the lines `pushLine` reads of a log are recorded in
 * one pass, then fed again, alone and in order, to a fresh parser, best of N. Also times the envelope reader and
 * the message classifier alone over the same lines, so a profile's split can be checked.
 *
 *     npx tsx bench/report-lines-quick.ts [path=/tmp/q200.log] [MiB=200] [runs=5]
 *     node --cpu-prof --import tsx bench/report-lines-quick.ts ...   (then summarize the .cpuprofile)
 *
 * The lines are fed to a parser that never sees the skipped ones, so its line numbers (and with them when a
 * quiet host's report closes) differ from the whole log's; the work per line is the same kind. Times are
 * wall-clock per line; on a shared machine compare figures within one run.
 */
const path = process.argv[2] ?? '/tmp/q200.log';
const mib = Number(process.argv[3] ?? 200);
const runs = Number(process.argv[4] ?? 5);
const REFERENCE_DATE = new Date('2026-11-25T23:59:59Z');

/** The parser's counters of open and awaiting reports, which decide whether it reads a line in full. */
interface ParserCounters {
  awaitingReports: number;
  openReports: number;
}

type Why = 'awaiting' | 'open' | 'candidate';

/** The lines of the first `limit` bytes of `file` that `pushLine` reads in full, and why each was read. */
async function recordReadLines(file: string, limit: number): Promise<{ line: string; why: Why }[]> {
  const parser = new KernelLogParser({ referenceDate: REFERENCE_DATE });
  const counters = parser as unknown as ParserCounters;
  const read: { line: string; why: Why }[] = [];
  let bytes = 0;
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024, end: limit - 1 });
  for await (const batch of readLineBatches(stream)) {
    for (const raw of batch) {
      bytes += raw.length + 1;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      let why: Why | null = null;
      if (counters.awaitingReports > 0) why = 'awaiting';
      else if (isHumanClockLine(line) || mayBelongToReport(line)) {
        if (counters.openReports > 0) why = 'open';
        else if (isHumanClockLine(line) || mayOpenReport(line)) why = 'candidate';
      }
      if (why) read.push({ line: raw, why });
      parser.pushLine(raw);
    }
  }
  parser.end();
  if (bytes === 0) throw new Error(`${file} is empty`);
  return read;
}

/** Best of `runs` of `task`, in nanoseconds per line of `count`. */
function nsPerLine(count: number, task: () => number): { ns: number; result: number } {
  let best = Number.POSITIVE_INFINITY;
  let result = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    result = task();
    best = Math.min(best, Number(process.hrtime.bigint() - start));
  }
  return { ns: best / count, result };
}

const recorded = await recordReadLines(path, mib * 1024 * 1024);
const lines = recorded.map((r) => r.line);
const count = (why: Why) => recorded.filter((r) => r.why === why).length;
const kinds = new Map<string, number>();
for (const line of lines) {
  const kind = line.startsWith('{')
    ? 'json'
    : parseEnvelope(line, { referenceDate: REFERENCE_DATE }).transport;
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
}
console.log(
  `${process.version} ${path} (${mib} MiB): ${lines.length} lines read in full (${count('awaiting')} awaiting a victim, ${count('open')} report open, ${count('candidate')} candidates); by transport: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`,
);

const pushed = nsPerLine(lines.length, () => {
  const parser = new KernelLogParser({ referenceDate: REFERENCE_DATE });
  let kills = 0;
  for (const line of lines) kills += parser.pushLine(line).length;
  return kills + parser.end().length;
});
const textLines = lines.filter((line) => !line.startsWith('{'));
const bodies: string[] = [];
const enveloped = nsPerLine(textLines.length, () => {
  const context = { referenceDate: REFERENCE_DATE };
  bodies.length = 0;
  for (const line of textLines) bodies.push(parseEnvelope(line, context).body);
  return bodies.length;
});
const classified = nsPerLine(bodies.length, () => {
  let events = 0;
  for (const body of bodies) if (classifyKernelMessage(body) !== null) events++;
  return events;
});
const byTransport = new Map<string, string[]>();
for (const line of textLines) {
  const kind = parseEnvelope(line, { referenceDate: REFERENCE_DATE }).transport;
  const group = byTransport.get(kind);
  if (group) group.push(line);
  else byTransport.set(kind, [line]);
}
const perTransport = [...byTransport].map(([kind, group]) => {
  const timed = nsPerLine(group.length, () => {
    const context = { referenceDate: REFERENCE_DATE };
    let length = 0;
    for (const line of group) length += parseEnvelope(line, context).body.length;
    return length;
  });
  return `${kind} ${timed.ns.toFixed(0)}`;
});
console.log(
  `  pushLine ${pushed.ns.toFixed(0)} ns/line (${pushed.result} kills); parseEnvelope ${enveloped.ns.toFixed(0)} ns/line over ${textLines.length} text lines; classifyKernelMessage ${classified.ns.toFixed(0)} ns/body (${classified.result} events); best of ${runs}\n  parseEnvelope ns/line by transport: ${perTransport.join(', ')}`,
);
