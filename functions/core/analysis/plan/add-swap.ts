import type { DiagnosticsSummary } from '../../diagnostics/model';
import { formatKiB } from '../../format/bytes';
import type { AddSwapPolicy } from '../../policy/policy';
import type { AnalysisFacts } from '../facts';
import type { AnalyzeInput } from '../input';
import type { RemediationStep } from '../model';
import { percent } from '../text';
import { cgroupSwapVerdict } from './cgroup-swap';
import { hourlyLimitReason, unresolvedReason } from './gates';

export type Decision = { step: RemediationStep } | { skipped: string };

/**
 * Add a swap file only when the policy enables it, the instance is known, the host is not a Kubernetes node (the
 * kubelet expects no swap), no swap is active (neither in the kernel report nor in the diagnostics), a kill
 * confined to a memory cgroup was in one that may swap (else host swap cannot help), the file fits in the
 * policy's share of the free disk, and the hourly limit is not reached. The document checks again on the host;
 * this decides whether to ask at all.
 */
export function planAddSwap(input: AnalyzeInput, facts: AnalysisFacts, nowMs: number): Decision {
  const policy = input.policy.addSwap;
  if (!policy.enabled) return { skipped: 'policy: add-swap is off' };
  const unresolved = unresolvedReason(input);
  if (unresolved) return { skipped: unresolved };
  if (facts.kubernetes)
    return { skipped: "a Kubernetes node: the kubelet expects no swap; fix the pods' memory limits instead" };
  const atKill = facts.kill.swapTotalKb ?? 0;
  if (atKill > 0)
    return { skipped: `swap was already active at the kill (${formatKiB(atKill)} in the kernel report)` };
  const diagnostics = input.diagnostics;
  if (!diagnostics)
    return { skipped: 'no diagnostics: whether swap is active and the disk has room is unknown' };
  const active = activeSwapReason(diagnostics);
  if (active) return { skipped: active };
  const confined = cgroupSwapVerdict(facts, diagnostics);
  if (confined.kind === 'cannot-swap') return { skipped: confined.reason };
  return swapFileDecision({
    policy,
    diagnostics,
    instanceId: input.incident.instance.instanceId ?? '',
    limits: input,
    nowMs,
    note: confined.kind === 'unknown' ? confined.note : null,
  });
}

/** Why a swap file is not needed: swap is already active on the host (its swaps, else its meminfo). */
export function activeSwapReason(diagnostics: DiagnosticsSummary): string | null {
  const activeKb =
    diagnostics.swaps.reduce((sum, swap) => sum + swap.sizeKb, 0) || (diagnostics.memory.swapTotalKb ?? 0);
  if (activeKb <= 0) return null;
  const where = diagnostics.swaps.map((swap) => swap.path).join(', ');
  return `swap is already active (${formatKiB(activeKb)}${where ? ` on ${where}` : ''})`;
}

export interface SwapFileRequest {
  policy: AddSwapPolicy;
  diagnostics: DiagnosticsSummary;
  instanceId: string;
  /** What the hourly limit counts. */
  limits: Pick<AnalyzeInput, 'recentActions'>;
  nowMs: number;
  /** Said at the end of the reason (what is unknown about the swap's use). */
  note: string | null;
  /** Said before the reason: why now (`preventive: `). @default none */
  lead?: string;
}

/**
 * The checks every add-swap shares, after a kill or before one: the file fits in the policy's share of the free
 * disk, and the per-instance hourly limit is not reached; then the step, a dry run when the policy says so.
 */
export function swapFileDecision(request: SwapFileRequest): Decision {
  const { policy, diagnostics, instanceId, nowMs, note } = request;
  const disk = diagnostics.disk;
  if (disk?.availableKb === null || disk?.availableKb === undefined)
    return { skipped: 'free disk space is unknown' };
  const sizeKb = policy.sizeMiB * 1024;
  const allowedKb = (disk.availableKb * policy.maxDiskSharePercent) / 100;
  if (sizeKb > allowedKb) {
    return {
      skipped: `a ${formatKiB(sizeKb)} swap file would take ${percent(sizeKb, disk.availableKb)} of the ${formatKiB(disk.availableKb)} free on ${disk.path} (policy allows ${policy.maxDiskSharePercent}%)`,
    };
  }
  const limited = hourlyLimitReason(
    request.limits,
    'add-swap',
    instanceId,
    policy.maxPerInstancePerHour,
    nowMs,
  );
  if (limited) return { skipped: limited };
  return {
    step: {
      action: 'add-swap',
      parameters: {
        sizeMiB: String(policy.sizeMiB),
        path: policy.path,
        maxDiskSharePercent: String(policy.maxDiskSharePercent),
        dryRun: String(policy.dryRun),
      },
      dryRun: policy.dryRun,
      reason: `${request.lead ?? ''}${policy.dryRun ? 'dry run: would add' : 'add'} a ${formatKiB(sizeKb)} swap file at ${policy.path}: no swap is active and ${disk.path} has ${formatKiB(disk.availableKb)} free (the file takes ${percent(sizeKb, disk.availableKb)}, policy allows ${policy.maxDiskSharePercent}%)${note ? `; ${note}` : ''}`,
    },
  };
}
