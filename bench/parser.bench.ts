import { createReadStream } from 'node:fs';
import { readLineBatches } from '../cli/io/read-lines';
import { KernelLogParser, parseKernelLog } from '../functions/core/kernel-log';
import { bestOf, bestOfAlternating, mbPerSecond } from './measure';
import { writeRealisticLog } from './realistic-log';

const TARGET_BYTES = 200 * 1024 * 1024;
const RUNS = 3;

/**
 * Parser throughput on a 200 MiB realistic log against the floor measured in the same run: reading the same
 * bytes and splitting them into lines in Node. The parser reads the file the same way, so the ratio is the cost
 * of parsing alone. Target (issue 17): at least 0.6x the floor, on Node 20 and on Node 24.
 */
export async function benchParser(path: string): Promise<void> {
  const { bytes, reports } = await writeRealisticLog(path, TARGET_BYTES);
  console.log(
    `kernel log parser: ${(bytes / 1024 / 1024).toFixed(0)} MiB, ${reports} real OOM reports among kernel noise`,
  );

  const { floor, task: parse } = await bestOfAlternating(
    RUNS,
    async () => {
      let lines = 0;
      for await (const batch of readLineBatches(createReadStream(path, { highWaterMark: 1024 * 1024 })))
        lines += batch.length;
      return lines;
    },
    async () => {
      const parser = new KernelLogParser({ referenceDate: new Date('2026-11-25T23:59:59Z') });
      let kills = 0;
      for await (const batch of readLineBatches(createReadStream(path, { highWaterMark: 1024 * 1024 }))) {
        for (const line of batch) kills += parser.pushLine(line).length;
      }
      return kills + parser.end().length;
    },
  );
  const speed = floor.seconds / parse.seconds;
  console.log(
    `  floor (read + split into ${floor.result} lines): ${floor.seconds.toFixed(2)} s, ${mbPerSecond(bytes, floor.seconds)}`,
  );
  console.log(
    `  read + split + parse (${parse.result} kills):    ${parse.seconds.toFixed(2)} s, ${mbPerSecond(bytes, parse.seconds)}`,
  );
  console.log(
    `  parser throughput = ${speed.toFixed(2)}x the floor (target >= 0.60x) on Node.js ${process.version}`,
  );

  // Pathological single lines: linear time means milliseconds, not minutes.
  for (const [name, line] of [
    ['1 MB of "("', '('.repeat(1_000_000)],
    ['1 MB kill line of ")"', `Killed process 1 (${')'.repeat(1_000_000)}`],
    ['1 MB of ":-" (grep prefixes)', ':-'.repeat(500_000)],
  ] as const) {
    const run = await bestOf(RUNS, () => parseKernelLog(line));
    console.log(`  ${name}: ${(run.seconds * 1000).toFixed(1)} ms`);
  }
}
