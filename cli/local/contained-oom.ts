import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { kmsgSequence, readKmsgRecords } from './kmsg';

/**
 * Cause a real, contained OOM kill: a child process in a small memory cgroup of our own outgrows its limit and
 * the kernel kills it, printing its full OOM report. Never host-wide: the limit is on a fresh child cgroup
 * under this process's own, which is removed afterwards.
 */
export interface ContainedOomOptions {
  /** The victim's comm (set through process.title; the kernel keeps 15 bytes). @default 'oom-demo' */
  comm?: string;
  /** The child cgroup's memory limit. @default 96 */
  limitMiB?: number;
}

export interface ContainedOom {
  pid: number;
  comm: string;
  limitMiB: number;
  cgroupPath: string;
  /** The kernel's records printed while the victim ran, as /dev/kmsg lines. */
  kernelRecords: string[];
}

export type ContainedOomSupport =
  | { supported: true; cgroupRoot: string; version: 1 | 2 }
  | { supported: false; reason: string };

/** Whether this host lets us cause a contained OOM, and if not, why (for a clear skip message). */
export function containedOomSupport(): ContainedOomSupport {
  if (process.platform !== 'linux') return { supported: false, reason: 'not Linux' };
  if (process.getuid?.() !== 0) return { supported: false, reason: 'not running as root' };
  if (!existsSync('/dev/kmsg')) return { supported: false, reason: '/dev/kmsg is missing' };
  try {
    readKmsgRecords();
  } catch (error) {
    return { supported: false, reason: `/dev/kmsg is not readable (${(error as Error).message})` };
  }
  const lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const v1 = lines.find((line) => /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:/.test(line));
  if (v1) {
    const root = `/sys/fs/cgroup/memory${v1.slice(v1.lastIndexOf(':') + 1)}`.replace(/\/$/, '');
    if (existsSync(`${root}/memory.limit_in_bytes`) || existsSync(root))
      return { supported: true, cgroupRoot: root, version: 1 };
  }
  const v2 = lines.find((line) => line.startsWith('0::'));
  if (v2 && existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    const root = `/sys/fs/cgroup${v2.slice(3)}`.replace(/\/$/, '');
    const enabled = readFileSync(`${root}/cgroup.subtree_control`, 'utf8');
    if (enabled.split(/\s+/).includes('memory')) return { supported: true, cgroupRoot: root, version: 2 };
    return { supported: false, reason: `cgroup v2 memory controller is not enabled below ${root}` };
  }
  return { supported: false, reason: 'no memory cgroup controller found in /proc/self/cgroup' };
}

// The victim grows 1 MiB at a time, up to a bound: should the cgroup limit somehow not hold, it stops and exits
// rather than grow until the whole host runs out.
const VICTIM = `
process.title = process.argv[1];
const maxMiB = Number(process.argv[2]);
process.stdin.once('data', () => {
  const hold = [];
  for (let i = 0; i < maxMiB; i++) hold.push(Buffer.alloc(1024 * 1024, 1));
  process.exit(3);
});
`;

export async function causeContainedOom(options: ContainedOomOptions = {}): Promise<ContainedOom> {
  const support = containedOomSupport();
  if (!support.supported) throw new Error(`cannot cause a contained OOM here: ${support.reason}`);
  const comm = options.comm ?? 'oom-demo';
  const limitMiB = options.limitMiB ?? 96;
  const cgroup = createMemoryCgroup(limitMiB, 'oom-responder');
  const cgroupPath = cgroup.path;
  try {
    const before = readKmsgRecords();
    const lastSequence = before.length > 0 ? kmsgSequence(before[before.length - 1] ?? '') : -1;
    const child = spawn(process.execPath, ['-e', VICTIM, comm, String(limitMiB * 4)], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (_code, signal) => resolve(signal));
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not start the victim process');
    writeFileSync(`${cgroupPath}/cgroup.procs`, String(pid));
    if (!inCgroup(pid, cgroupPath)) {
      child.kill('SIGKILL');
      throw new Error(`the victim did not enter ${cgroupPath}; not letting it allocate`);
    }
    child.stdin.write('go\n');
    const signal = await exited;
    if (signal !== 'SIGKILL')
      throw new Error(`the victim ended with ${signal ?? 'an exit code'}, not an OOM kill`);
    const kernelRecords = readKmsgRecords().filter((record) => kmsgSequence(record) > lastSequence);
    return { pid, comm: comm.slice(0, 15), limitMiB, cgroupPath, kernelRecords };
  } finally {
    cgroup.remove();
  }
}

/** Whether the process's memory cgroup (v1 `memory` line, or v2 `0::`) is the given cgroup directory. */
function inCgroup(pid: number, cgroupPath: string): boolean {
  const name = cgroupPath.slice(cgroupPath.lastIndexOf('/'));
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .some(
      (line) =>
        (/^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:/.test(line) || line.startsWith('0::')) && line.endsWith(name),
    );
}

/** A child memory cgroup of this process's own, limited (memory, and memory+swap where offered); never host-wide. */
export interface MemoryCgroup {
  path: string;
  version: 1 | 2;
  remove(): void;
}

export function createMemoryCgroup(limitMiB: number, label: string): MemoryCgroup {
  const support = containedOomSupport();
  if (!support.supported) throw new Error(`no memory cgroup here: ${support.reason}`);
  const path = `${support.cgroupRoot}/${label}-${process.pid}-${Date.now().toString(36)}`;
  mkdirSync(path);
  const limit = String(limitMiB * 1024 * 1024);
  try {
    if (support.version === 1) {
      writeFileSync(`${path}/memory.limit_in_bytes`, limit);
      // With swap, a process would page out instead of dying: cap memory+swap too where the kernel offers it.
      if (existsSync(`${path}/memory.memsw.limit_in_bytes`))
        writeFileSync(`${path}/memory.memsw.limit_in_bytes`, limit);
    } else {
      writeFileSync(`${path}/memory.max`, limit);
      if (existsSync(`${path}/memory.swap.max`)) writeFileSync(`${path}/memory.swap.max`, '0');
    }
  } catch (error) {
    removeCgroup(path);
    throw error;
  }
  return { path, version: support.version, remove: () => removeCgroup(path) };
}

/** The kernel frees the cgroup once its last task is reaped, which may take a moment after the kill. */
function removeCgroup(path: string): void {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      rmdirSync(path);
      return;
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}
