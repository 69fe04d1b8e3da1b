import { advice, prose } from '../analysis/advice';
import type { ActionResult, Advice } from '../analysis/model';
import type { DiagnosticsSummary } from '../diagnostics/model';
import type { PressureAnalysis } from '../pressure/model';

/** The share of RAM a cap leaves the grower: the kernel then stops it in its own cgroup, the host keeps the rest. */
const CAP_SHARE = 0.8;

/**
 * What on-call can do in the minutes before the kill, most useful first: look at the grower while it is alive
 * (its mappings, what its unit is), cap it so the kernel stops it inside its own cgroup rather than the host, and
 * give the host room (swap), or say what the preventive swap did.
 */
export function pressureSteps(
  analysis: PressureAnalysis | null,
  summary: DiagnosticsSummary | null,
  actions: readonly ActionResult[],
): Advice[] {
  const steps: Advice[] = [];
  const grower = analysis?.grower ?? null;
  if (grower) {
    steps.push(
      advice(
        `Look at ${grower.comm} (pid ${grower.pid}) while it is alive: what it maps, and which unit it runs in:`,
        [
          `sudo cat /proc/${grower.pid}/smaps_rollup`,
          `sudo grep -E 'VmRSS|VmSwap' /proc/${grower.pid}/status`,
          `ps -o unit=,cgroup= -p ${grower.pid}`,
        ],
      ),
    );
    const totalKb = summary?.memory.totalKb ?? null;
    const capMiB = totalKb ? Math.floor((totalKb * CAP_SHARE) / 1024) : null;
    if (capMiB && !summary?.kubernetes) {
      steps.push(
        advice(
          `Cap it, so the kernel stops it inside its own cgroup instead of taking the host (${Math.round(CAP_SHARE * 100)} % of RAM; --runtime lasts until reboot):`,
          [`sudo systemctl set-property --runtime "$(ps -o unit= -p ${grower.pid})" MemoryMax=${capMiB}M`],
          'A container: set its memory limit (docker update --memory) instead.',
        ),
      );
    }
  }
  steps.push(...swapSteps(analysis, summary, actions));
  return steps.slice(0, 3);
}

function swapSteps(
  analysis: PressureAnalysis | null,
  summary: DiagnosticsSummary | null,
  actions: readonly ActionResult[],
): Advice[] {
  const swap = actions.find((a) => a.action === 'add-swap');
  if (swap?.status === 'done')
    return [advice('A swap file was added: watch it take the pressure:', ['swapon --show', 'free -m'])];
  if (summary?.kubernetes)
    return [prose("A Kubernetes node: no swap; lower the pods' requests or move a pod off this node.")];
  if (analysis?.swapPresent === false) {
    return [
      advice(
        'Give the host room to survive the next minutes: a 2 GiB swap file (check the disk has room first):',
        [
          'sudo fallocate -l 2G /swapfile.oom-responder',
          'sudo chmod 600 /swapfile.oom-responder',
          'sudo mkswap /swapfile.oom-responder',
          'sudo swapon /swapfile.oom-responder',
        ],
        'Swap buys time; it does not fix a leak.',
      ),
    ];
  }
  return [];
}
