import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createMemoryCgroup } from '../../../../cli/local/contained-oom';

/**
 * A process of the test's own that holds `baseMiB` and then grows at `rateMiBPerSecond` up to `maxMiB`, inside a
 * fresh memory cgroup of its own (`limitMiB`, well above `maxMiB`): never host-wide, and never near its limit.
 * It allocates by the clock (each tick catches up with base + rate x elapsed), so a late timer on a busy host
 * does not lower the rate over a window of seconds. It exits by itself after `lifetimeMs`, or when the test's
 * end of its stdin closes (the test died), so it never outlives the test.
 */
export interface GrowerOptions {
  /** Its comm (through process.title; at most 15 bytes). */
  comm: string;
  limitMiB: number;
  baseMiB: number;
  rateMiBPerSecond: number;
  maxMiB: number;
  /** From the moment it holds its base. */
  lifetimeMs: number;
}

export interface Grower {
  pid: number;
  comm: string;
  /** When it held its base and began to grow (ms since the epoch). */
  readyAt: number;
  /** Resolves when it has exited. */
  exited: Promise<void>;
  /** Kill it (if still running) and remove its cgroup; safe to call twice. */
  stop(): Promise<void>;
}

const GROWER = `
process.title = process.argv[1];
const [base, rate, max, lifetime] = process.argv.slice(2).map(Number);
const hold = [];
const grow = (mib) => { while (hold.length < Math.min(mib, max)) hold.push(Buffer.alloc(1024 * 1024, 1)); };
process.stdin.on('end', () => process.exit(0));
process.stdin.once('data', () => {
  grow(base);
  const start = Date.now();
  process.stdout.write('ready\\n');
  setInterval(() => grow(base + Math.floor(((Date.now() - start) / 1000) * rate)), 25);
  setTimeout(() => process.exit(0), lifetime);
});
`;

export async function startGrower(options: GrowerOptions): Promise<Grower> {
  if (options.maxMiB + 64 > options.limitMiB)
    throw new Error('a grower must stay well below its cgroup limit');
  const cgroup = createMemoryCgroup(options.limitMiB, 'oomr-grower');
  const child = spawn(
    process.execPath,
    [
      '-e',
      GROWER,
      options.comm,
      ...[options.baseMiB, options.rateMiBPerSecond, options.maxMiB, options.lifetimeMs].map(String),
    ],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    cgroup.remove();
  };
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not start the grower');
    writeFileSync(`${cgroup.path}/cgroup.procs`, String(pid));
    if (!memoryCgroupOf(pid).endsWith(cgroup.path.slice(cgroup.path.lastIndexOf('/'))))
      throw new Error(`the grower did not enter ${cgroup.path}; not letting it allocate`);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the grower did not get ready within 20 s')), 20_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (chunk.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      exited.then(() => reject(new Error('the grower exited before it was ready')));
    });
    child.stdin.write('go\n');
    await ready;
    return { pid, comm: options.comm.slice(0, 15), readyAt: Date.now(), exited, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The memory cgroup of a process as /proc/<pid>/cgroup names it (v1 `memory` line, else v2 `0::`). */
function memoryCgroupOf(pid: number): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const line =
    lines.find((l) => /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:/.test(l)) ?? lines.find((l) => l.startsWith('0::'));
  return line?.slice(line.lastIndexOf(':') + 1) ?? '';
}

/** VmRSS and VmSwap of a process, in KiB, from /proc/<pid>/status (the kernel's own figures). */
export function memoryStatus(pid: number): { vmRssKb: number; vmSwapKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { vmRssKb: kb('VmRSS'), vmSwapKb: kb('VmSwap') };
}
