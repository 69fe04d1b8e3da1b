import { existsSync, readFileSync } from 'node:fs';
import { createMemoryCgroup } from '../../../../cli/local/contained-oom';
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
  const cgroup = createMemoryCgroup(limitMiB, 'oom-responder-ssm');
  const dir = cgroup.path;
  try {
    // The shell moves itself into the cgroup, then becomes the command: nothing runs outside the limit.
    const result = await run(['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, ...command], env);
    const v1 = cgroup.version === 1;
    const peak = readNumber(v1 ? `${dir}/memory.max_usage_in_bytes` : `${dir}/memory.peak`);
    const events = readFileSync(v1 ? `${dir}/memory.oom_control` : `${dir}/memory.events`, 'utf8');
    const kills = /^oom_kill (\d+)$/m.exec(events)?.[1];
    return { ...result, peakBytes: peak, oomKills: kills === undefined ? null : Number(kills) };
  } finally {
    cgroup.remove();
  }
}

function readNumber(path: string): number | null {
  if (!existsSync(path)) return null;
  const value = Number(readFileSync(path, 'utf8').trim());
  return Number.isFinite(value) ? value : null;
}
