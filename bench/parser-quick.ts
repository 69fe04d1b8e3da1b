import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mbPerSecond } from './measure';
import { parseByBytes, parseByChunks, parseByLines, readAndSplit } from './parser-tasks';
import { writeRealisticLog } from './realistic-log';

/**
 * A quick parser bench for iterating (`npm run bench` takes minutes): the same floor and parses (by lines, by
 * chunks and by bytes) as `parser.bench.ts`, on a smaller log kept between runs, and optionally the `oom-responder parse`
 * CLI as a whole process against the same floor.
 *
 *     npx tsx bench/parser-quick.ts [path=/tmp/oom-parser-quick.log] [MiB=40] [runs=5] [--cli]
 */
const args = process.argv.slice(2).filter((arg) => arg !== '--cli');
const withCli = process.argv.includes('--cli');
const path = args[0] ?? '/tmp/oom-parser-quick.log';
const mib = Number(args[1] ?? 40);
const runs = Number(args[2] ?? 5);

if (!existsSync(path) || statSync(path).size < mib * 1024 * 1024)
  await writeRealisticLog(path, mib * 1024 * 1024);
const bytes = statSync(path).size;

function cli(): number {
  // As a user runs it, without this process's tsx flags: the bin loads tsx itself when it has no fresh bundle.
  const out = execFileSync(process.execPath, ['bin/oom-responder.js', 'parse', path], {
    maxBuffer: 1 << 30,
  });
  return out.toString().split('\n').length - 1;
}

/** Wall-clock seconds, and this process's CPU seconds (user and system): on a shared machine the latter drifts less. */
async function time<T>(task: () => Promise<T> | T): Promise<[number, T, number]> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await task();
  const used = process.cpuUsage(cpu);
  return [Number(process.hrtime.bigint() - start) / 1e9, result, (used.user + used.system) / 1e6];
}

let bestFloor = Number.POSITIVE_INFINITY;
let bestParse = Number.POSITIVE_INFINITY;
let bestChunks = Number.POSITIVE_INFINITY;
let bestBytes = Number.POSITIVE_INFINITY;
let bestCli = Number.POSITIVE_INFINITY;
const bestCpu = {
  floor: Number.POSITIVE_INFINITY,
  parse: Number.POSITIVE_INFINITY,
  chunks: Number.POSITIVE_INFINITY,
  bytes: Number.POSITIVE_INFINITY,
};
let kills = 0;
let chunkKills = 0;
let byteKills = 0;
let cliKills = 0;
for (let i = 0; i < runs; i++) {
  const [f, , fc] = await time(() => readAndSplit(path));
  const [p, k, pc] = await time(() => parseByLines(path));
  const [t, tk, tc] = await time(() => parseByChunks(path));
  const [b, bk, bc] = await time(() => parseByBytes(path));
  bestFloor = Math.min(bestFloor, f);
  bestBytes = Math.min(bestBytes, b);
  bestCpu.bytes = Math.min(bestCpu.bytes, bc);
  byteKills = bk;
  bestParse = Math.min(bestParse, p);
  bestChunks = Math.min(bestChunks, t);
  bestCpu.floor = Math.min(bestCpu.floor, fc);
  bestCpu.parse = Math.min(bestCpu.parse, pc);
  bestCpu.chunks = Math.min(bestCpu.chunks, tc);
  kills = k;
  chunkKills = tk;
  if (withCli) {
    const [c, ck] = await time(cli);
    bestCli = Math.min(bestCli, c);
    cliKills = ck;
  }
}
console.log(
  `${process.version} ${(bytes / 1048576).toFixed(0)} MiB: floor ${bestFloor.toFixed(3)} s (${mbPerSecond(bytes, bestFloor)}), parse by lines ${bestParse.toFixed(3)} s (${mbPerSecond(bytes, bestParse)}, ${kills} kills) = ${(bestFloor / bestParse).toFixed(3)}x, by chunks ${bestChunks.toFixed(3)} s (${mbPerSecond(bytes, bestChunks)}, ${chunkKills} kills) = ${(bestFloor / bestChunks).toFixed(3)}x, by bytes ${bestBytes.toFixed(3)} s (${mbPerSecond(bytes, bestBytes)}, ${byteKills} kills) = ${(bestFloor / bestBytes).toFixed(3)}x` +
    (withCli
      ? `; CLI ${bestCli.toFixed(3)} s (${cliKills} kills) = ${(bestFloor / bestCli).toFixed(3)}x`
      : '') +
    `\n  CPU seconds: floor ${bestCpu.floor.toFixed(3)}, by lines ${bestCpu.parse.toFixed(3)} = ${(bestCpu.floor / bestCpu.parse).toFixed(3)}x, by chunks ${bestCpu.chunks.toFixed(3)} = ${(bestCpu.floor / bestCpu.chunks).toFixed(3)}x, by bytes ${bestCpu.bytes.toFixed(3)} = ${(bestCpu.floor / bestCpu.bytes).toFixed(3)}x`,
);
