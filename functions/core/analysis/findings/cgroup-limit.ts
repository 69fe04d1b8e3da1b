import { formatKiB } from '../../format/bytes';
import { systemdUnitOf } from '../../kernel-log/memcg-path';
import {
  containerTarget,
  readableCgroupPath,
  type Workload,
  workloadLabel,
  workloadOf,
} from '../../workload';
import type { AnalysisFacts, MemoryLimit } from '../facts';
import type { Finding } from '../model';
import { configSize, percent } from '../text';
import { victimLines } from './tasks';

/**
 * The kill was confined to a memory cgroup that reached its limit (a container, a pod, a systemd unit's
 * `MemoryMax=`), or to the NUMA nodes of a cpuset: the host as a whole still had memory. This is the mechanism;
 * a root-cause finding (an oversized JVM heap, a leak) outranks it when one holds.
 */
export function cgroupLimit(facts: AnalysisFacts): Finding | null {
  if (facts.scope === 'cpuset') return cpusetConstraint(facts);
  if (facts.scope !== 'cgroup') return null;
  const { kill, limit, ramKb } = facts;
  const where = placeOf(facts);
  const evidence = [limitLine(limit)];
  const path = (p: string) => readableCgroupPath(p, where.workload);
  if (kill.oomMemcg && kill.taskMemcg && kill.oomMemcg !== kill.taskMemcg) {
    evidence.push(
      `the limit belongs to ${path(kill.oomMemcg)}; the victim ran in its child ${path(kill.taskMemcg)}`,
    );
  } else if (kill.oomMemcg ?? kill.taskMemcg) {
    evidence.push(`memory cgroup: ${path(kill.oomMemcg ?? kill.taskMemcg ?? '')}`);
  }
  if (limit && ramKb !== null) {
    evidence.push(
      `the limit is ${percent(limit.limitKb, ramKb)} of the host's ${formatKiB(ramKb)} RAM: the host itself was not out of memory`,
    );
  }
  evidence.push(...victimLines(facts));
  evidence.push(...stateLines(facts));
  const full =
    limit?.usageKb !== null && limit?.usageKb !== undefined && limit.usageKb >= limit.limitKb * 0.95;
  return {
    family: 'cgroup-limit',
    title: `${facts.victim.name} hit the memory limit of ${where.label}${limit ? ` (${formatKiB(limit.limitKb)})` : ''}`,
    confidence: limit === null ? 0.5 : full ? 0.6 : 0.55,
    evidence,
    recommendation: recommendation(facts, where),
  };
}

interface Place {
  kind: 'pod' | 'ecs' | 'container' | 'unit' | 'cgroup';
  label: string;
  /** What a command needs: the pod uid, container name or id, unit name or cgroup path. */
  target: string;
  /** The victim's pod, ECS task or container, named from the diagnostics where they tell it. */
  workload: Workload | null;
}

function placeOf(facts: AnalysisFacts): Place {
  const { kill } = facts;
  const workload = workloadOf(kill.container, facts.diagnostics?.containers ?? []);
  if (workload?.kind === 'pod' || workload?.kind === 'ecs') {
    const target =
      workload.kind === 'pod' ? (workload.pod ?? workload.podUid ?? '?') : (workload.family ?? '?');
    return { kind: workload.kind, label: workloadLabel(workload), target, workload };
  }
  if (workload?.containerId) {
    const target = containerTarget(workload) ?? workload.containerId.slice(0, 12);
    const label = workload.name
      ? workloadLabel(workload)
      : `${workload.runtime ?? 'container'} container ${target}`;
    return { kind: 'container', label, target, workload };
  }
  // The limit may belong to a parent of the victim's cgroup: name the cgroup that has it, not the victim's.
  const path = kill.oomMemcg ?? kill.taskMemcg;
  const unit = kill.oomMemcg ? systemdUnitOf(kill.oomMemcg) : kill.systemdUnit;
  if (unit?.endsWith('.service')) return { kind: 'unit', label: unit, target: unit, workload };
  if (path === null)
    return { kind: 'cgroup', label: 'its memory cgroup', target: 'its memory cgroup', workload };
  // A scope (a session, a transient unit) reads better by name than by its full path.
  return { kind: 'cgroup', label: unit ?? `cgroup ${path}`, target: path, workload };
}

function limitLine(limit: MemoryLimit | null): string {
  if (limit === null) return 'the kernel confined the OOM to a memory cgroup; its limit was not printed';
  if (limit.source === 'kernel report') {
    const usage = limit.usageKb === null ? '' : `usage ${formatKiB(limit.usageKb)}, `;
    const failcnt = limit.failcnt === null ? '' : `, failcnt ${limit.failcnt}`;
    return `at the kill: memory ${usage}limit ${formatKiB(limit.limitKb)}${failcnt}`;
  }
  const usage = limit.usageKb === null ? '' : `, using ${formatKiB(limit.usageKb)} now`;
  const what = limit.source === 'unit MemoryMax' ? "the unit's MemoryMax" : "the cgroup's limit";
  return `${what} is ${formatKiB(limit.limitKb)}${usage}`;
}

function stateLines(facts: AnalysisFacts): string[] {
  const lines: string[] = [];
  const cgroup = facts.diagnostics?.cgroup;
  if (cgroup?.oomKills)
    lines.push(`the cgroup has counted ${cgroup.oomKills} OOM kills (memory.events oom_kill)`);
  const unit = facts.diagnostics?.unit;
  if (unit && unit.name === facts.kill.systemdUnit) {
    const parts = [`state ${unit.activeState ?? '?'}${unit.subState ? `/${unit.subState}` : ''}`];
    if (unit.result) parts.push(`Result=${unit.result}`);
    if (unit.nRestarts !== null) parts.push(`NRestarts=${unit.nRestarts}`);
    if (unit.oomPolicy) parts.push(`OOMPolicy=${unit.oomPolicy}`);
    lines.push(`${unit.name} now: ${parts.join(', ')}`);
  }
  return lines;
}

function recommendation(facts: AnalysisFacts, where: Place): string {
  const { limit, ramKb } = facts;
  const grown = limit ? limit.limitKb * 1.5 : null;
  const fits = grown !== null && (ramKb === null || grown <= ramKb * 0.9);
  const intro = `Decide whether ${facts.victim.name} needs more than its limit or should use less (a leak or an oversized heap shows as a finding of its own).`;
  const keep =
    ramKb === null ? '' : ` Keep the sum of limits on this host under its ${formatKiB(ramKb)} RAM.`;
  if (!fits || grown === null) {
    return `${intro} The limit cannot grow much on this host: reduce the workload's footprint or move it to a larger instance.${keep}`;
  }
  switch (where.kind) {
    case 'pod':
      return `${intro} If it needs more, raise ${podContainer(where.workload)}\`resources.limits.memory\` (e.g. ${configSize(grown, 'kubernetes')}) and its \`requests.memory\` with it${podOwner(where.workload)}.${keep}`;
    case 'ecs':
      return `${intro} If it needs more, raise ${ecsContainer(where.workload)} \`memory\` (hard limit, MiB; e.g. ${Math.ceil(grown / 1024)}) in a new revision of task definition ${where.target} and update its service to it; \`docker update\` does not survive the ECS agent.${keep}`;
    case 'container':
      return `${intro} If it needs more, raise the limit: \`docker update --memory ${configSize(grown, 'docker')} --memory-swap ${configSize(grown, 'docker')} ${where.target}\` now, and \`mem_limit\`/\`--memory\` where the container is defined.${keep}`;
    case 'unit':
      return [
        `${intro} If it needs more, raise the unit's limit with a drop-in (\`sudo systemctl edit ${where.target}\`):`,
        '[Service]',
        `MemoryMax=${configSize(grown, 'systemd')}`,
        'Restart=on-failure',
        ...(keep ? [keep.trim()] : []),
      ].join('\n');
    default:
      return `${intro} If it needs more, raise the limit of ${where.target}: \`memory.max\` (cgroup v2) or \`memory.limit_in_bytes\` (v1), e.g. ${configSize(grown, 'systemd')}, in whatever creates that cgroup.${keep}`;
  }
}

/** `the container api's ` of a named pod, else `the container's `. */
function podContainer(workload: Workload | null): string {
  return workload?.kind === 'pod' && workload.container
    ? `the container ${workload.container}'s `
    : "the container's ";
}

/** Where the pod spec lives: the pod is recreated from its owner, so the limit belongs there. */
function podOwner(workload: Workload | null): string {
  if (workload?.kind !== 'pod' || !workload.pod) return '';
  const ns = workload.namespace ? `-n ${workload.namespace} ` : '';
  return ` in the workload that owns the pod (\`kubectl ${ns}get pod ${workload.pod} -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}'\`)`;
}

function ecsContainer(workload: Workload | null): string {
  return workload?.kind === 'ecs' && workload.container
    ? `container ${workload.container}'s`
    : "the container's";
}

function cpusetConstraint(facts: AnalysisFacts): Finding {
  const { kill } = facts;
  const evidence = [
    `oom-kill constraint ${kill.constraint}: only the memory nodes allowed to the allocating task counted, not the whole host`,
  ];
  evidence.push(...victimLines(facts));
  return {
    family: 'cgroup-limit',
    title: `${facts.victim.name} was killed because the NUMA nodes of a cpuset or memory policy ran out, not the host`,
    confidence: 0.6,
    evidence,
    recommendation:
      "Check which memory nodes the allocating task may use (`cat /proc/<pid>/status | grep Mems_allowed`, the container's `cpuset.mems`, `numactl --hardware` for free memory per node) and do not pin memory-hungry workloads to a single node (`docker run --cpuset-mems`, `numactl --membind`).",
  };
}
