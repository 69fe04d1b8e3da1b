import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { containedOomSupport } from '../../../../cli/local/contained-oom';
import { run, type ScriptRun } from './run-script';

export interface CgroupRun extends ScriptRun {
  /** The cgroup's peak memory use (v1 max_usage_in_bytes, v2 memory.peak), page cache included. */
  peakBytes: number | null;
  /** OOM kills inside the cgroup while the command ran. */
  oomKills: number | null;
}

/**
 * Run a command inside a fresh child memory cgroup of this process's own, limited to `limitMiB` (memory and,
 * where the kernel offers it, memory+swap), then remove the cgroup. Never host-wide.
 */
export async function runInMemoryCgroup(
  limitMiB: number,
  command: string[],
  env: NodeJS.ProcessEnv,
): Promise<CgroupRun> {
  const support = containedOomSupport();
  if (!support.supported) throw new Error(`no memory cgroup here: ${support.reason}`);
  const dir = `${support.cgroupRoot}/oom-responder-ssm-${process.pid}-${Date.now().toString(36)}`;
  mkdirSync(dir);
  try {
    const limit = String(limitMiB * 1024 * 1024);
    if (support.version === 1) {
      writeFileSync(`${dir}/memory.limit_in_bytes`, limit);
      if (existsSync(`${dir}/memory.memsw.limit_in_bytes`))
        writeFileSync(`${dir}/memory.memsw.limit_in_bytes`, limit);
    } else {
      writeFileSync(`${dir}/memory.max`, limit);
      if (existsSync(`${dir}/memory.swap.max`)) writeFileSync(`${dir}/memory.swap.max`, '0');
    }
    // The shell moves itself into the cgroup, then becomes the command: nothing runs outside the limit.
    const result = await run(['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, ...command], env);
    const v1 = support.version === 1;
    const peak = readNumber(v1 ? `${dir}/memory.max_usage_in_bytes` : `${dir}/memory.peak`);
    const events = readFileSync(v1 ? `${dir}/memory.oom_control` : `${dir}/memory.events`, 'utf8');
    const kills = /^oom_kill (\d+)$/m.exec(events)?.[1];
    return { ...result, peakBytes: peak, oomKills: kills === undefined ? null : Number(kills) };
  } finally {
    removeCgroup(dir);
  }
}

function readNumber(path: string): number | null {
  if (!existsSync(path)) return null;
  const value = Number(readFileSync(path, 'utf8').trim());
  return Number.isFinite(value) ? value : null;
}

/** The kernel frees a cgroup once its last task is reaped, which may take a moment after exit. */
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
