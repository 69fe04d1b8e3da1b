import { formatKiB } from '../../format/bytes';
import { advice } from '../advice';
import { contradicts, type Evidence, measured, stated } from '../evidence';
import type { AnalysisFacts } from '../facts';
import type { Advice, FindingDraft } from '../model';
import { percent } from '../text';

const GiB = 1024 * 1024;

/**
 * No swap, or too little that was full at the kill. Swap does not fix a cause, it buys time: cold anonymous pages
 * can leave RAM, and a sudden kill becomes a slowdown an alarm can catch. Kubernetes nodes run without swap on
 * purpose, so they get no such finding.
 */
export function noSwap(facts: AnalysisFacts): FindingDraft | null {
  const { swap, ramKb, scope } = facts;
  if (facts.kubernetes || swap === null || scope === 'oomd' || scope === 'cpuset') return null;
  const where = swap.source === 'kernel report' ? 'in the kernel report' : 'on the host now';
  const seen = (text: string): Evidence => (swap.source === 'kernel report' ? stated(text) : measured(text));
  const ram = ramKb === null ? '' : ` beside ${formatKiB(ramKb)} RAM`;
  if (swap.totalKb === 0) {
    const host = scope === 'host';
    return {
      family: 'no-swap',
      title: host
        ? 'No swap: once RAM was full, anonymous memory had nowhere to go'
        : 'No swap on the host: a cgroup at its limit cannot push cold pages out, so it is killed sooner',
      evidence: [
        seen(`no swap ${where}${ram}`),
        ...(host
          ? []
          : [contradicts('the kill was confined to a cgroup: the host as a whole still had memory')]),
      ],
      recommendation: recipe(ramKb),
    };
  }
  const full = swap.freeKb !== null && swap.freeKb <= swap.totalKb * 0.1;
  if (scope !== 'host' || ramKb === null || !full || swap.totalKb >= ramKb * 0.25) return null;
  return {
    family: 'no-swap',
    title: `Little swap: ${formatKiB(swap.totalKb)} (${percent(swap.totalKb, ramKb)} of RAM) was full at the kill`,
    evidence: [seen(`swap ${formatKiB(swap.totalKb)}, ${formatKiB(swap.freeKb ?? 0)} free ${where}${ram}`)],
    recommendation: recipe(ramKb),
  };
}

/** A quarter of RAM, between 1 and 4 GiB, in whole GiB: enough to absorb a spike, small enough not to thrash. */
export function suggestedSwapMiB(ramKb: number | null): number {
  if (ramKb === null) return 2048;
  const quarterGiB = Math.round(ramKb / 4 / GiB);
  return Math.min(4, Math.max(1, quarterGiB)) * 1024;
}

function recipe(ramKb: number | null): Advice {
  const mib = suggestedSwapMiB(ramKb);
  return advice(
    `Add a ${formatKiB(mib * 1024)} swap file (written with dd: swapon refuses files with holes, and fallocate leaves them on XFS and ext4) and keep swappiness low so it catches spikes rather than holding the working set:`,
    [
      `sudo dd if=/dev/zero of=/swapfile bs=1M count=${mib} && sudo chmod 600 /swapfile`,
      'sudo mkswap /swapfile && sudo swapon /swapfile',
      "echo '/swapfile none swap sw 0 0' | sudo tee -a /etc/fstab",
      "echo 'vm.swappiness=10' | sudo tee /etc/sysctl.d/90-swappiness.conf && sudo sysctl --system",
    ],
    'Swap buys time; it does not fix what used the memory. The add-swap remediation does this when the policy enables it.',
  );
}
