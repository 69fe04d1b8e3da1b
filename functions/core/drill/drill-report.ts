import type { Kill } from '../kernel-log';

/**
 * The synthetic kernel OOM report `oom-responder drill` writes into the kernel log group, and how the pipeline
 * recognizes it. The report has the real report's shape (a cgroup OOM as a 6.x kernel prints it, every line one the
 * subscription filter passes or the detector reads for context), so the drill exercises the same parsing,
 * grouping, diagnostics, analysis and notification as a real kill; the victim is a process named `oom-drill`,
 * and its cgroup path carries the drill id, so the id survives into the kill model (`taskMemcg`, `oomMemcg`).
 *
 * A line that only claims to be a drill can at most make the pipeline do less (no remediation, a DRILL label):
 * never more. A real process that happens to be named `oom-drill` in a cgroup named like a drill's would be
 * reported as a drill: a name no workload uses.
 */

/** The victim's command name in a drill report (the kernel's `comm`, at most 15 bytes). */
export const DRILL_PROCESS = 'oom-drill';

/** The cgroup a drill's victim ran in: `/oom-responder-drill/<drill id>`. */
export const DRILL_CGROUP_PREFIX = '/oom-responder-drill/';

/** A drill id: lowercase letters, digits and `-`, 8 to 40 characters (it lands in a cgroup path and a log line). */
export const DRILL_ID_PATTERN = /^[a-z0-9][a-z0-9-]{6,38}[a-z0-9]$/;

export interface DrillReportOptions {
  /** Identifies the drill in the cgroup path and the messages, e.g. `drill-20261204t2015-7f3a`. */
  drillId: string;
  /** Seconds since boot printed in front of each line (dmesg style): any plausible value. @default 86400 */
  uptimeSeconds?: number;
  /** The pid of the synthetic victim. @default 4242 */
  pid?: number;
}

/**
 * The drill's kernel lines, in the order the kernel prints a cgroup OOM report (6.x): the trigger, the memcg
 * summary, the task table, the `oom-kill:` summary line and the victim line. Dmesg-style stamps, no host prefix:
 * the CloudWatch agent ships kernel lines as they are written, and the stream name carries the instance.
 */
export function drillReportLines(options: DrillReportOptions): string[] {
  if (!DRILL_ID_PATTERN.test(options.drillId)) {
    throw new Error(
      `drill id '${options.drillId}' must be 8 to 40 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    );
  }
  const pid = options.pid ?? 4242;
  const uptime = options.uptimeSeconds ?? 86_400;
  const memcg = `${DRILL_CGROUP_PREFIX}${options.drillId}`;
  const stamp = (offsetMicros: number): string => {
    const micros = Math.round(uptime * 1e6) + offsetMicros;
    return `[${(micros / 1e6).toFixed(6).padStart(12)}]`;
  };
  const lines = [
    `${DRILL_PROCESS} invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0`,
    `CPU: 0 PID: ${pid} Comm: ${DRILL_PROCESS} Not tainted 6.1.0-oom-responder-drill #1`,
    `memory: usage 65536kB, limit 65536kB, failcnt 12`,
    `swap: usage 0kB, limit 0kB, failcnt 0`,
    `Memory cgroup stats for ${memcg}:`,
    `anon 66060288`,
    `file 368640`,
    `kernel 712704`,
    `sock 0`,
    `shmem 0`,
    `Tasks state (memory values in pages):`,
    `[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name`,
    `[   ${pid}]     0  ${pid}    18002    16224   180224        0             0 ${DRILL_PROCESS}`,
    `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=${memcg},task_memcg=${memcg},task=${DRILL_PROCESS},pid=${pid},uid=0`,
    `Memory cgroup out of memory: Killed process ${pid} (${DRILL_PROCESS}) total-vm:72008kB, anon-rss:64512kB, file-rss:384kB, shmem-rss:0kB, UID:0 pgtables:176kB oom_score_adj:0`,
  ];
  return lines.map((line, i) => `${stamp(i * 37)} ${line}`);
}

/** The drill id of a kill from a drill report, or null for any other kill. */
export function drillIdOf(kill: Pick<Kill, 'process' | 'taskMemcg' | 'oomMemcg'>): string | null {
  if (kill.process !== DRILL_PROCESS) return null;
  const memcg = kill.taskMemcg ?? kill.oomMemcg;
  if (!memcg?.startsWith(DRILL_CGROUP_PREFIX)) return null;
  const id = memcg.slice(DRILL_CGROUP_PREFIX.length);
  return DRILL_ID_PATTERN.test(id) ? id : null;
}
