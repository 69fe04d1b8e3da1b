import { isAscii } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, readFileSync, readSync } from 'node:fs';
import { parseEnvelope } from '../functions/core/kernel-log/envelope';
import { classifyKernelMessage } from '../functions/core/kernel-log/messages';
import { corpusSamples } from '../test/support/corpus';

/**
 * A large, realistic kernel log for benchmarks: ordinary kernel noise (this host's own `dmesg`, or the corpus's
 * non-OOM lines where dmesg is not readable or holds fewer than 200 ordinary lines, or when
 * `OOM_BENCH_NOISE=corpus`) with the corpus's real OOM reports among it, wrapped in several transports (bare
 * dmesg, RFC 3164 and RFC 3339 syslog, journald JSON) the way a fleet's logs mix them. Which noise it took is
 * returned, since the figures depend on it: a fresh host's dmesg is plain ASCII, most 1 MiB chunks of the log
 * then are too, and the read+split floor copies them as Latin-1; the corpus's noise (a Russian-locale `dmesg -T`
 * among it) puts other text in every chunk, and the floor must decode UTF-8 throughout.
 */
export async function writeRealisticLog(
  path: string,
  targetBytes: number,
): Promise<{ bytes: number; reports: number; noise: string; asciiChunks: number; chunks: number }> {
  const { lines: noise, source } = kernelNoise();
  const reports = corpusSamples()
    .filter((sample) => sample.theme !== 'negative' && sample.expected.length > 0)
    .map((sample) => readFileSync(sample.logPath, 'utf8'));
  const out = createWriteStream(path);
  let bytes = 0;
  let block = 0;
  let reportCount = 0;
  while (bytes < targetBytes) {
    const wrap = TRANSPORTS[block % TRANSPORTS.length] ?? ((line: string) => line);
    const host = `ip-10-0-${block % 250}-${(block * 7) % 250}`;
    let chunk = '';
    // About one OOM report per 2,000 lines of noise: OOM kills are rare events in a real log.
    for (let i = 0; i < 2000; i++)
      chunk += `${wrap(noise[(block * 31 + i) % noise.length] ?? '', host, i)}\n`;
    const report = reports[block % reports.length] ?? '';
    chunk += report.endsWith('\n') ? report : `${report}\n`;
    reportCount++;
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    block++;
  }
  out.end();
  await once(out, 'finish');
  return { bytes, reports: reportCount, noise: source, ...asciiChunksOf(path) };
}

/** How many of the file's 1 MiB chunks (as the benches read it) are plain ASCII, of how many. */
function asciiChunksOf(path: string): { asciiChunks: number; chunks: number } {
  const buffer = Buffer.alloc(1024 * 1024);
  const fd = openSync(path, 'r');
  let asciiChunks = 0;
  let chunks = 0;
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      chunks++;
      if (isAscii(buffer.subarray(0, read))) asciiChunks++;
    }
  } finally {
    closeSync(fd);
  }
  return { asciiChunks, chunks };
}

const TRANSPORTS: ((message: string, host: string, i: number) => string)[] = [
  (message, _host, i) => `[${(1000 + i / 1000).toFixed(6).padStart(12)}] ${message}`,
  (message, host, i) =>
    `Nov 25 16:${String(10 + (i % 50)).padStart(2, '0')}:01 ${host} kernel: [ ${(1000 + i / 1000).toFixed(6)}] ${message}`,
  (message, host) => `2026-11-25T16:58:01.123456+00:00 ${host} kernel: ${message}`,
  (message, host, i) =>
    JSON.stringify({
      MESSAGE: message,
      _HOSTNAME: host,
      _TRANSPORT: 'kernel',
      SYSLOG_IDENTIFIER: 'kernel',
      __REALTIME_TIMESTAMP: String(1795627850077199 + i),
      PRIORITY: '6',
    }),
];

function kernelNoise(): { lines: string[]; source: string } {
  let seen = 0;
  if (process.env.OOM_BENCH_NOISE !== 'corpus') {
    try {
      const host = ordinaryKernelLines(
        execFileSync('dmesg', ['--notime'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(
          '\n',
        ),
      );
      if (host.length >= 200)
        return { lines: host, source: `this host's dmesg (${host.length} ordinary lines)` };
      seen = host.length;
    } catch {
      // dmesg is not readable here: fall back to the corpus below.
    }
  }
  const lines = ordinaryKernelLines(
    corpusSamples().flatMap((sample) => readFileSync(sample.logPath, 'utf8').split('\n')),
  );
  const why =
    process.env.OOM_BENCH_NOISE === 'corpus'
      ? 'OOM_BENCH_NOISE=corpus'
      : `this host's dmesg has ${seen} ordinary lines or is not readable`;
  return { lines, source: `the corpus's ordinary lines (${lines.length}; ${why})` };
}

/**
 * The lines of a kernel log that belong to no OOM report: everything from a report's first line (`invoked
 * oom-killer`, or its memory dump and task table) to its victim line is left out, and so is any line naming a kill.
 * (On a machine whose ring buffer holds only the tests' own contained OOM kills, little is left.)
 *
 * A line the parser reads as a message of a report (`CPU: ... Comm:`, `memory+swap: usage ...`, a task-table row)
 * is left out too, wherever it stands: such fragments (a report whose first lines were lost, a kill the tests
 * replayed into this host's ring buffer) each open a report that waits for its victim, and the parser then reads
 * every line for a while. Kept in, they made 68% of a 200 MiB log take the full path on one run and 5% on the
 * next, as the ring buffer changed: the noise is meant to be noise.
 */
export function ordinaryKernelLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inReport = false;
  for (const line of lines) {
    if (/invoked oom-killer|Mem-Info|Tasks state|\[ {0,2}pid {0,2}\]/.test(line)) inReport = true;
    if (inReport) {
      if (/Killed process|oom_reaper|oom-kill:/.test(line)) inReport = false;
      continue;
    }
    if (
      line.trim().length === 0 ||
      /oom|ill(?:ed)? process|memory: usage|Task in|pages RAM|swap {1,2}=/.test(line) ||
      isReportMessage(line)
    )
      continue;
    out.push(line);
  }
  return out;
}

const NOISE_CONTEXT = { referenceDate: new Date('2026-11-25T23:59:59Z') };

/** Whether the parser reads `line` (or a journald record's message) as a message of an OOM report. */
function isReportMessage(line: string): boolean {
  let text = line;
  if (line.startsWith('{')) {
    try {
      const record = JSON.parse(line) as Record<string, unknown> | null;
      const message = record?.MESSAGE ?? record?.message;
      if (typeof message === 'string') text = message;
    } catch {
      // Not JSON: read as text.
    }
  }
  return classifyKernelMessage(parseEnvelope(text, NOISE_CONTEXT).body) !== null;
}
