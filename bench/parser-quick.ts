import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mbPerSecond } from './measure';
import { parseByChunks, parseByLines, readAndSplit } from './parser-tasks';
import { writeRealisticLog } from './realistic-log';

/**
 * A quick parser bench for iterating (`npm run bench` takes minutes): the same floor and parses (by lines and
 * by chunks) as `parser.bench.ts`, on a smaller log kept between runs, and optionally the `oom-responder parse`
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
  const out = execFileSync(process.execPath, [...process.execArgv, 'bin/oom-responder.js', 'parse', path], {
    maxBuffer: 1 << 30,
  });
  return out.toString().split('\n').length - 1;
}

async function time<T>(task: () => Promise<T> | T): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const result = await task();
  return [Number(process.hrtime.bigint() - start) / 1e9, result];
}

let bestFloor = Number.POSITIVE_INFINITY;
let bestParse = Number.POSITIVE_INFINITY;
let bestChunks = Number.POSITIVE_INFINITY;
let bestCli = Number.POSITIVE_INFINITY;
let kills = 0;
let chunkKills = 0;
let cliKills = 0;
for (let i = 0; i < runs; i++) {
  const [f] = await time(() => readAndSplit(path));
  const [p, k] = await time(() => parseByLines(path));
  const [t, tk] = await time(() => parseByChunks(path));
  bestFloor = Math.min(bestFloor, f);
  bestParse = Math.min(bestParse, p);
  bestChunks = Math.min(bestChunks, t);
  kills = k;
  chunkKills = tk;
  if (withCli) {
    const [c, ck] = await time(cli);
    bestCli = Math.min(bestCli, c);
    cliKills = ck;
  }
}
console.log(
  `${process.version} ${(bytes / 1048576).toFixed(0)} MiB: floor ${bestFloor.toFixed(3)} s (${mbPerSecond(bytes, bestFloor)}), parse ${bestParse.toFixed(3)} s (${mbPerSecond(bytes, bestParse)}, ${kills} kills) = ${(bestFloor / bestParse).toFixed(3)}x; by chunks ${bestChunks.toFixed(3)} s (${mbPerSecond(bytes, bestChunks)}, ${chunkKills} kills) = ${(bestFloor / bestChunks).toFixed(3)}x` +
    (withCli
      ? `; CLI ${bestCli.toFixed(3)} s (${cliKills} kills) = ${(bestFloor / bestCli).toFixed(3)}x`
      : ''),
);
