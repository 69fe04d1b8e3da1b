import type { ContainerInfo } from '../../diagnostics/model';
import { formatKiB } from '../../format/bytes';
import { formatLimitKb } from '../../format/limits';
import {
  containerTarget,
  readableCgroupPath,
  sameContainerId,
  type Workload,
  workloadLabel,
  workloadOf,
} from '../../workload';
import { advice as adviceOf } from '../advice';
import { type Evidence, measured, stated } from '../evidence';
import type { AnalysisFacts } from '../facts';
import type { Advice, FindingDraft } from '../model';
import { bytesToKiB, configSize } from '../text';

/** `/kubepods`, `/kubepods/burstable`, `/kubepods.slice/kubepods-besteffort.slice`: above any one pod. */
const KUBEPODS_ABOVE_POD =
  /^\/kubepods(?:\.slice)?(?:\/(?:burstable|besteffort|kubepods-(?:burstable|besteffort)\.slice))?$/;

/**
 * A container without a memory limit of its own: the victim's container did not stop it before the whole host
 * (or, on Kubernetes, the memory the kubelet reserves for all pods) ran out. A container limit turns a host-wide
 * OOM into a kill of that container alone.
 */
export function containerWithoutLimit(facts: AnalysisFacts): FindingDraft | null {
  const { kill } = facts;
  if (facts.scope === 'cgroup' && kill.oomMemcg && KUBEPODS_ABOVE_POD.test(kill.oomMemcg))
    return allPods(facts);
  if (facts.scope !== 'host') return null;
  if (kill.container) return victimContainer(facts);
  const unlimited = (facts.diagnostics?.containers ?? []).filter((c) => c.memoryLimitBytes === null);
  if (unlimited.length === 0) return null;
  const names = unlimited.slice(0, 5).map(containerLabel).join(', ');
  return {
    family: 'container-without-limit',
    title:
      unlimited.length === 1
        ? 'A container on this host runs without a memory limit'
        : `${unlimited.length} containers on this host run without a memory limit`,
    evidence: [measured(`without a memory limit: ${names}${unlimited.length > 5 ? ', ...' : ''}`)],
    recommendation: advice(facts, null),
  };
}

function victimContainer(facts: AnalysisFacts): FindingDraft | null {
  const ref = facts.kill.container;
  if (!ref) return null;
  const containers = facts.diagnostics?.containers ?? [];
  const workload = workloadOf(ref, containers);
  const id = workload ? containerTarget(workload) : null;
  const label = workload ? labelOf(workload, id) : 'a container';
  const path = facts.kill.taskMemcg ? ` (${readableCgroupPath(facts.kill.taskMemcg, workload)})` : '';
  // Two things the kernel states: the OOM was global, and the victim's cgroup path is a container's.
  const evidence: Evidence[] = [
    stated(
      `the kill was host-wide (no memory cgroup limit was hit) although ${facts.victim.name} ran in ${label}${path}`,
    ),
    stated(
      `${facts.victim.name}'s memory cgroup is a container's: a limit there would have confined the kill`,
    ),
  ];
  const found = containers.find((c) => ref.id !== null && sameContainerId(c.id, ref.id));
  const ramKb = facts.ramKb;
  if (found) {
    const limitKb = found.memoryLimitBytes === null ? null : bytesToKiB(found.memoryLimitBytes);
    if (limitKb === null) {
      evidence.push(measured(`${containerLabel(found)}: no memory limit (runtime inspect)`));
    } else if (ramKb !== null && limitKb >= ramKb) {
      evidence.push(
        measured(
          `${containerLabel(found)}: memory limit ${formatLimitKb(limitKb)}, not below the host's ${formatKiB(ramKb)} RAM`,
        ),
      );
    } else {
      // It had a real limit; the host ran out for another reason (other containers, the host's own services).
      return null;
    }
  }
  return {
    family: 'container-without-limit',
    title: `${facts.victim.name} ran in ${label} without a memory limit that could stop it before the host ran out`,
    evidence,
    recommendation: advice(facts, id),
  };
}

function allPods(facts: AnalysisFacts): FindingDraft {
  const limit = facts.limit;
  const size = limit ? ` (${formatKiB(limit.limitKb)})` : '';
  return {
    family: 'container-without-limit',
    title: `The pods on this node together filled the memory reserved for all pods${size}: a pod grew without a limit of its own stopping it`,
    evidence: [
      stated(
        `the limit hit was ${facts.kill.oomMemcg}, the kubelet's cgroup for all pods (or a QoS class), not one pod's`,
      ),
      ...podLine(facts),
    ],
    recommendation: advice({ ...facts, kubernetes: true }, null),
  };
}

/** The victim's own pod cgroup, below the one whose limit was hit: its limit (if any) did not stop it first. */
function podLine(facts: AnalysisFacts): Evidence[] {
  const { taskMemcg, oomMemcg } = facts.kill;
  if (!taskMemcg || taskMemcg === oomMemcg || !facts.kill.container?.podUid) return [];
  const workload = workloadOf(facts.kill.container, facts.diagnostics?.containers ?? []);
  return [
    stated(
      `${facts.victim.name} ran in ${readableCgroupPath(taskMemcg, workload)}, whose own limit did not stop it first`,
    ),
  ];
}

function advice(facts: AnalysisFacts, id: string | null): Advice {
  const ramKb = facts.ramKb;
  const capKb = ramKb === null ? null : ramKb * 0.75;
  if (facts.kubernetes) {
    const example =
      capKb === null
        ? ''
        : ` (never above the node's allocatable; e.g. at most ${configSize(capKb, 'kubernetes')} here)`;
    return adviceOf(
      `Give every container \`resources.limits.memory\` sized from its peak use${example} and \`requests.memory\` near its normal use, so the scheduler does not overpack the node; a LimitRange sets a default for the namespace. Keep \`--kube-reserved\`/\`--system-reserved\` and \`evictionHard memory.available\` so the kubelet evicts before the kernel kills.`,
    );
  }
  const cap = capKb === null ? '<limit>' : configSize(capKb, 'docker');
  const target = id ?? '<container>';
  return adviceOf(
    'Set a memory limit so the container is killed alone instead of the host, now:',
    [`docker update --memory ${cap} --memory-swap ${cap} ${target}`],
    `And \`--memory\`/\`mem_limit\` (compose) where it is defined, sized from its peak use and below the host's RAM${ramKb === null ? '' : ` (${formatKiB(ramKb)})`}.`,
  );
}

/** The pod or task by name where known; a nameless container keeps the wording the kernel's ids allow. */
function labelOf(workload: Workload, target: string | null): string {
  if (workload.kind !== 'container' || workload.name) return workloadLabel(workload);
  return `${workload.runtime ?? 'a'} container ${target ?? '?'}`;
}

/** A listed container by name where known (`docker container redis (image redis:7)`), else by its short id. */
function containerLabel(container: ContainerInfo): string {
  const ref = { runtime: container.runtime, id: container.id, podUid: container.kubernetes?.podUid ?? null };
  const workload = workloadOf(ref, [container]);
  return workload ? labelOf(workload, containerTarget(workload)) : container.id.slice(0, 12);
}
