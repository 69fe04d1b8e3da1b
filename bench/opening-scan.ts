import { feedParser } from '../cli/io/feed-parser';
import { readFileChunks } from '../cli/io/file-chunks';
import { NODE_BYTE_VIEW } from '../cli/io/node-byte-view';
import { KernelLogParser } from '../functions/core/kernel-log';
import { mayOpenReport } from '../functions/core/kernel-log/prefilter';

/**
 * pushBytes with and without the WebAssembly scan's second set (`wasm/opening-line.ts`), alternated in one process
 * so that a shared machine's drift falls on both: a subclass overriding `mayOpenReport` (with the same test) turns
 * the set off, which is the parser as it was before it.
 *
 *     npx tsx bench/opening-scan.ts [path=/tmp/q200.log] [runs=3]
 */
const path = process.argv[2] ?? '/tmp/q200.log';
const runs = Number(process.argv[3] ?? 3);

class WithoutOpeningSet extends KernelLogParser {
  protected override mayOpenReport(line: string): boolean {
    return mayOpenReport(line);
  }
}

async function parse(parser: KernelLogParser): Promise<[number, number, number]> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let kills = 0;
  await feedParser(readFileChunks(path), parser, (done) => {
    kills += done.length;
  });
  kills += parser.end().length;
  const used = process.cpuUsage(cpu);
  return [Number(process.hrtime.bigint() - start) / 1e9, (used.user + used.system) / 1e6, kills];
}

const options = { referenceDate: new Date('2026-11-25T23:59:59Z'), byteView: NODE_BYTE_VIEW };
for (let i = 0; i < runs; i++) {
  for (const [name, parser] of [
    ['without', new WithoutOpeningSet(options)],
    ['with', new KernelLogParser(options)],
  ] as const) {
    const [wall, cpu, kills] = await parse(parser);
    console.log(
      `${process.version} ${name.padEnd(8)} ${wall.toFixed(3)} s wall ${cpu.toFixed(3)} s cpu ${kills} kills`,
    );
  }
}
