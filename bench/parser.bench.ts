import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freshBundle } from '../bin/fresh-bundle.mjs';
import { parseKernelLog } from '../functions/core/kernel-log';
import { bestOf, bestOfAlternating, mbPerSecond } from './measure';
import { parseByBytes, parseByChunks, parseByLines, readAndSplit } from './parser-tasks';
import { writeRealisticLog } from './realistic-log';

const TARGET_BYTES = 200 * 1024 * 1024;
const RUNS = 3;

/**
 * Parser throughput on a 200 MiB realistic log against the floor measured in the same run: reading the same
 * bytes and splitting them into lines with the CLI's reader (`readLineBatches`). The parser is fed three ways:
 * those lines one by one (`pushLine`), so that the ratio is the cost of parsing alone; chunks of whole lines as
 * text (`pushText`), which it need not split; and the bytes as the CLI feeds them (`feedParser`, `pushBytes`),
 * which it need not decode but for the lines it reads. Then the same file through `oom-responder parse FILE` as a
 * whole process (its start included, which is also measured alone on an empty file), against the same floor.
 * Target (issue 17): at least 0.6x the floor, on Node 20 and on Node 24, in-process and as a CLI process.
 */
export async function benchParser(path: string): Promise<void> {
  const log = await writeRealisticLog(path, TARGET_BYTES);
  const { bytes } = log;
  console.log(
    `kernel log parser: ${(bytes / 1024 / 1024).toFixed(0)} MiB, ${log.reports} real OOM reports among kernel noise from ${log.noise}; ${log.asciiChunks} of its ${log.chunks} 1 MiB chunks plain ASCII`,
  );

  const { floor, task: parse } = await bestOfAlternating(
    RUNS,
    () => readAndSplit(path),
    () => parseByLines(path),
  );
  // Against a floor measured in turns with it too, so that both ratios saw the same load.
  const { floor: chunkFloor, task: chunks } = await bestOfAlternating(
    RUNS,
    () => readAndSplit(path),
    () => parseByChunks(path),
  );
  const { floor: bytesFloor, task: byBytes } = await bestOfAlternating(
    RUNS,
    () => readAndSplit(path),
    () => parseByBytes(path),
  );
  console.log(
    `  floor (read + split into ${floor.result} lines): ${floor.seconds.toFixed(2)} s, ${mbPerSecond(bytes, floor.seconds)}`,
  );
  console.log(
    `  read + split + parse by lines (${parse.result} kills): ${parse.seconds.toFixed(2)} s, ${mbPerSecond(bytes, parse.seconds)} = ${(floor.seconds / parse.seconds).toFixed(2)}x the floor`,
  );
  console.log(
    `  read + parse by chunks (${chunks.result} kills):        ${chunks.seconds.toFixed(2)} s, ${mbPerSecond(bytes, chunks.seconds)} = ${(chunkFloor.seconds / chunks.seconds).toFixed(2)}x the floor (${chunkFloor.seconds.toFixed(2)} s)`,
  );
  console.log(
    `  read + parse by bytes (${byBytes.result} kills):         ${byBytes.seconds.toFixed(2)} s, ${mbPerSecond(bytes, byBytes.seconds)} = ${(bytesFloor.seconds / byBytes.seconds).toFixed(2)}x the floor (${bytesFloor.seconds.toFixed(2)} s)`,
  );
  console.log(`  parser throughput target >= 0.60x the floor, on Node.js ${process.version}`);

  // The whole `oom-responder parse FILE` process on the same file, against the same floor: what a user waits for.
  // `npm run bench` builds the bundle first; run on its own, the bench may find it stale (a source edited since).
  const bundled = freshBundle(fileURLToPath(new URL('..', import.meta.url)))
    ? 'the bundle of npm run build'
    : 'through tsx: the bundle is missing or stale';
  const empty = `${path}.empty`;
  writeFileSync(empty, '');
  const startup = await bestOf(RUNS, () => cliParse(empty));
  const { floor: cliFloor, task: cli } = await bestOfAlternating(
    RUNS,
    () => readAndSplit(path),
    () => cliParse(path),
  );
  console.log(
    `  oom-responder parse FILE, whole process (${cli.result} kills, ${bundled}): ${cli.seconds.toFixed(2)} s, ${mbPerSecond(bytes, cli.seconds)} = ${(cliFloor.seconds / cli.seconds).toFixed(2)}x the floor (${cliFloor.seconds.toFixed(2)} s); of it, starting on an empty file: ${startup.seconds.toFixed(2)} s`,
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

const CLI = fileURLToPath(new URL('../bin/oom-responder.js', import.meta.url));

/** Run `oom-responder parse FILE` on this Node, counting the kills it prints (one JSON line each). */
async function cliParse(file: string): Promise<number> {
  const child = spawn(process.execPath, [CLI, 'parse', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let kills = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) kills++;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`oom-responder parse exited with ${code}`);
  return kills;
}
