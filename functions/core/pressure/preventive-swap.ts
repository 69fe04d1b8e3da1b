import type { RecentAction } from '../analysis/input';
import type { RemediationPlan } from '../analysis/model';
import { activeSwapReason, swapFileDecision } from '../analysis/plan/add-swap';
import type { DiagnosticsSummary } from '../diagnostics/model';
import type { Policy } from '../policy/policy';
import type { HostReading } from './host-reading';

export interface PreventiveSwapInput {
  policy: Policy;
  instanceId: string;
  diagnostics: DiagnosticsSummary | null;
  reading: HostReading;
  recentActions: RecentAction[];
  nowMs: number;
}

/**
 * A swap file before the kill, only when the policy opts in (`addSwap.enabled` and `addSwap.preventive`), the host
 * itself confirms the pressure (the alarm alone is CloudWatch's reading, as a kill line alone is a claim), the
 * host is no Kubernetes node, no swap is active, and the kill plan's own checks pass: the policy's share of the
 * free disk and the per-instance hourly limit, which a preventive swap counts against like any other.
 */
export function planPreventiveSwap(input: PreventiveSwapInput): RemediationPlan {
  const skip = (reason: string): RemediationPlan => ({
    steps: [],
    skipped: [{ action: 'add-swap', reason }],
  });
  const policy = input.policy.addSwap;
  if (!policy.enabled) return skip('policy: add-swap is off');
  if (!policy.preventive) return skip('policy: add-swap is not preventive (addSwap.preventive is off)');
  const { diagnostics } = input;
  if (!diagnostics) return skip('no diagnostics: whether swap is active and the disk has room is unknown');
  if (input.reading.confirmation.status !== 'confirmed')
    return skip(`not sent: the host did not confirm the pressure (${input.reading.confirmation.detail})`);
  if (diagnostics.kubernetes)
    return skip("a Kubernetes node: the kubelet expects no swap; fix the pods' memory limits instead");
  const active = activeSwapReason(diagnostics);
  if (active) return skip(active);
  const decision = swapFileDecision({
    policy,
    diagnostics,
    instanceId: input.instanceId,
    limits: input,
    nowMs: input.nowMs,
    note: null,
    lead: 'preventive: ',
  });
  return 'step' in decision ? { steps: [decision.step], skipped: [] } : skip(decision.skipped);
}
