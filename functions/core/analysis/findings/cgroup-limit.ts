import { chargedAtKillKb, formatKiB } from '../../format/bytes';
import {
  containerTarget,
  readableCgroupPath,
  type Workload,
  workloadLabel,
  workloadOf,
} from '../../workload';
import { advice } from '../advice';
import { context, contradicts, type Evidence, measured, stated } from '../evidence';
import type { AnalysisFacts, MemoryLimit } from '../facts';
import { describeHolder, limitHolderOf } from '../limit-holder';
import type { MemoryPart } from '../memory-composition';
import { KIND_NAMES } from '../memory-composition-line';
import type { Advice, FindingDraft } from '../model';
import { headroomNote, type SuggestedLimit, suggestedLimit } from '../suggested-limit';
import { configSizeUp, percent } from '../text';
import { cgroupHourEvidence } from './hour-before';

/**
 * The kill was confined to a memory cgroup that reached its limit (a container, a pod, a systemd unit's
 * `MemoryMax=`), or to the NUMA nodes of a cpuset: the host as a whole still had memory. That much the kernel
 * states ("What happened" says it); the hypothesis here is that the limit is too small for what the workload
 * needs. A root-cause finding (an oversized JVM heap, a leak) outranks it when one holds.
 */
export function cgroupLimit(facts: AnalysisFacts): FindingDraft | null {
  if (facts.scope === 'cpuset') return cpusetConstraint(facts);
  if (facts.scope !== 'cgroup') return null;
  const { kill, limit, ramKb } = facts;
  const where = placeOf(facts);
  const filler = nonAnonFiller(facts);
  // What filled it, when it was not the processes' own memory, speaks against "the limit is too small": a larger
  // limit fills the same way.
  const evidence: Evidence[] = [
    limitLine(limit),
    ...(filler && facts.composition ? [contradicts(facts.composition.line)] : []),
    ...chargeLines(facts).map(context),
  ];
  const path = (p: string) => readableCgroupPath(p, where.workload);
  if (kill.oomMemcg && kill.taskMemcg && kill.oomMemcg !== kill.taskMemcg) {
    evidence.push(
      context(
        `the limit belongs to ${path(kill.oomMemcg)}; the victim ran in its child ${path(kill.taskMemcg)}`,
      ),
    );
  }
  if (limit && ramKb !== null) {
    evidence.push(
      stated(
        `the limit is ${percent(limit.limitKb, ramKb)} of the host's ${formatKiB(ramKb)} RAM: the host itself was not out of memory`,
      ),
    );
  }
  evidence.push(...stateLines(facts), ...cgroupHourEvidence(facts.timeline));
  const size = limit ? `${formatKiB(limit.limitKb)} ` : '';
  return {
    family: 'cgroup-limit',
    // The size before the place: a place can end in its own parentheses (`pod a/b (container c)`), and the
    // renderer adds `(confidence N%)`, so a size in parentheses after it would read `...) (512 MiB) (confidence`.
    title: `The ${size}memory limit of ${where.label} is too small for what ${facts.victim.name} needs, or ${facts.victim.name} grew past it`,
    evidence,
    recommendation: filler ? fillerFirst(facts, filler, where) : recommendation(facts, where),
  };
}

/** The part of the breakdown that clearly filled the cgroup, when it is not anonymous (process) memory. */
function nonAnonFiller(facts: AnalysisFacts): MemoryPart | null {
  const dominant = facts.composition?.dominant ?? null;
  return dominant && dominant.kind !== 'anon' ? dominant : null;
}

function fillerFirst(facts: AnalysisFacts, filler: MemoryPart, where: Place): Advice {
  const name = KIND_NAMES[filler.kind].full;
  const steps = raiseSteps(where, suggestedLimit(facts));
  return advice(
    `${name.charAt(0).toUpperCase()}${name.slice(1)}, not ${facts.victim.name}'s own memory, filled the limit: raising the limit only delays the next kill. Fix what fills it first (see the ${name} finding); only if the workload really needs more, ${steps.text}`,
    steps.code,
    steps.after,
  );
}

interface Place {
  kind: 'pod' | 'ecs' | 'container' | 'unit' | 'scope' | 'cgroup';
  label: string;
  /** What a command needs: the pod name or uid, task family, container name or id, unit name or cgroup path. */
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
  const holder = limitHolderOf(kill);
  const label = describeHolder(holder);
  if (holder.unit?.endsWith('.scope')) return { kind: 'scope', label, target: holder.unit, workload };
  if (holder.unit) return { kind: 'unit', label, target: holder.unit, workload };
  return { kind: 'cgroup', label, target: holder.path ?? 'its memory cgroup', workload };
}

/**
 * The victim's charge beside the limit, and why its RSS may exceed it: its file pages may be charged to the
 * cgroup that first read them, and are reclaimable, so only anon + shmem surely count against this limit.
 */
function chargeLines(facts: AnalysisFacts): string[] {
  const { kill, limit, victim } = facts;
  const charged = chargedAtKillKb(kill);
  if (charged === null) return [];
  const share = limit ? `, ${percent(charged, limit.limitKb)} of the ${formatKiB(limit.limitKb)} limit` : '';
  const lines = [
    `${victim.name}'s own charge to the cgroup: anon ${formatKiB(kill.anonRssKb ?? 0)} + shmem ${formatKiB(kill.shmemRssKb ?? 0)} = ${formatKiB(charged)}${share}`,
  ];
  const file = kill.fileRssKb ?? 0;
  const overLimit = limit !== null && victim.rssKb !== null && victim.rssKb > limit.limitKb;
  const chargedOver = limit !== null && charged > limit.limitKb;
  if (chargedOver) {
    lines.push(
      "more than the limit itself: a page stays charged to the cgroup that first touched it (memory the task used before it moved into this cgroup, pages shared with another), so only the cgroup's usage counts against this limit",
    );
  }
  // A few KiB of mapped binary is no news; a tenth of the RSS, or an RSS above the limit, needs explaining.
  if ((overLimit && file > 0) || (file >= 1024 && file >= (victim.rssKb ?? 0) * 0.1)) {
    const over =
      overLimit && !chargedOver
        ? `: that is why its RSS (${formatKiB(victim.rssKb ?? 0)}) can exceed the limit`
        : '';
    lines.push(
      `its ${formatKiB(file)} of file pages (binary, libraries, mapped files) count in its RSS but may be charged to another cgroup that read them first, and are reclaimable${over}`,
    );
  }
  return lines;
}

function limitLine(limit: MemoryLimit | null): Evidence {
  if (limit === null)
    return stated('the kernel confined the OOM to a memory cgroup; its limit was not printed');
  if (limit.source === 'kernel report') {
    const usage = limit.usageKb === null ? '' : `usage ${formatKiB(limit.usageKb)}, `;
    const failcnt = limit.failcnt === null ? '' : `, failcnt ${limit.failcnt}`;
    return stated(`at the kill: memory ${usage}limit ${formatKiB(limit.limitKb)}${failcnt}`);
  }
  const usage = limit.usageKb === null ? '' : `, using ${formatKiB(limit.usageKb)} now`;
  const what = limit.source === 'unit MemoryMax' ? "the unit's MemoryMax" : "the cgroup's limit";
  return measured(`${what} is ${formatKiB(limit.limitKb)}${usage}`);
}

function stateLines(facts: AnalysisFacts): Evidence[] {
  const lines: Evidence[] = [];
  const cgroup = facts.diagnostics?.cgroup;
  // One kill is this one; more say the workload keeps reaching the limit.
  if (cgroup?.oomKills) {
    const line = `the cgroup has counted ${cgroup.oomKills} OOM kills (memory.events oom_kill)`;
    lines.push(cgroup.oomKills > 1 ? measured(line) : context(line));
  }
  const unit = facts.diagnostics?.unit;
  if (unit && unit.name === facts.kill.systemdUnit) {
    const parts = [`state ${unit.activeState ?? '?'}${unit.subState ? `/${unit.subState}` : ''}`];
    if (unit.result) parts.push(`Result=${unit.result}`);
    if (unit.nRestarts !== null) parts.push(`NRestarts=${unit.nRestarts}`);
    if (unit.oomPolicy) parts.push(`OOMPolicy=${unit.oomPolicy}`);
    lines.push(context(`${unit.name} now: ${parts.join(', ')}`));
  }
  return lines;
}

function recommendation(facts: AnalysisFacts, where: Place): Advice {
  const { ramKb } = facts;
  const suggestion = suggestedLimit(facts);
  const fits = suggestion !== null && (ramKb === null || suggestion.targetKb <= ramKb * 0.9);
  const intro = `Decide whether ${facts.victim.name} needs more than its limit or should use less (a leak or an oversized heap shows as a finding of its own).`;
  const keep =
    ramKb === null ? null : `Keep the sum of limits on this host under its ${formatKiB(ramKb)} RAM.`;
  if (suggestion !== null && !fits) {
    return advice(
      `${intro} The limit cannot grow much on this host (${headroomNote(suggestion)} would not fit): reduce the workload's footprint or move it to a larger instance.${keep ? ` ${keep}` : ''}`,
    );
  }
  const steps = raiseSteps(where, suggestion);
  // The code (a drop-in, a command) is pasted as it is: the prose after it is a paragraph of its own.
  if (steps.code)
    return advice(`${intro} If it needs more, ${steps.text}`, steps.code, joined(steps.after, keep));
  return advice(`${intro} If it needs more, ${steps.text}${keep ? ` ${keep}` : ''}`);
}

function joined(...parts: (string | null | undefined)[]): string | null {
  const kept = parts.filter((part): part is string => typeof part === 'string' && part.length > 0);
  return kept.length > 0 ? kept.join(' ') : null;
}

interface Steps {
  text: string;
  code?: string[];
  after?: string;
}

/** How to raise the limit where it is set, with a size only when a peak is known. */
function raiseSteps(where: Place, suggestion: SuggestedLimit | null): Steps {
  const size = (style: 'systemd' | 'docker' | 'kubernetes') =>
    suggestion === null ? null : configSizeUp(suggestion.targetKb, style);
  const why = suggestion === null ? '' : `: ${headroomNote(suggestion)}`;
  switch (where.kind) {
    case 'pod':
      return {
        text: `raise ${podContainer(where.workload)}\`resources.limits.memory\`${size('kubernetes') ? ` (e.g. ${size('kubernetes')}${why})` : ''} and its \`requests.memory\` with it${podOwner(where.workload)}`,
        ...podOwnerCode(where.workload),
      };
    case 'ecs':
      return {
        text: `raise ${ecsContainer(where.workload)} \`memory\` (hard limit, MiB${suggestion ? `; e.g. ${Math.ceil(suggestion.targetKb / 1024)}${why}` : ''}) in a new revision of task definition ${where.target} and update its service to it; \`docker update\` does not survive the ECS agent.`,
      };
    case 'container': {
      const docker = size('docker') ?? '<size>';
      return {
        text: `raise the limit now${suggestion ? ` (${headroomNote(suggestion)})` : ''}:`,
        code: [`docker update --memory ${docker} --memory-swap ${docker} ${where.target}`],
        after: 'And raise `mem_limit`/`--memory` where the container is defined.',
      };
    }
    case 'unit': {
      const section = where.target.endsWith('.slice') ? '[Slice]' : '[Service]';
      const lines = [section, `MemoryMax=${size('systemd') ?? '<size>'}`];
      if (section === '[Service]') lines.push('Restart=on-failure');
      return {
        text: `raise the limit of ${where.label} with a drop-in: run \`sudo systemctl edit ${where.target}\` and add these lines${suggestion ? ` (the value is ${headroomNote(suggestion)})` : ''}:`,
        code: lines,
      };
    }
    case 'scope':
      return {
        text: `raise the limit of ${where.label}, a transient scope${suggestion ? ` (${headroomNote(suggestion)})` : ''}:`,
        code: [`sudo systemctl set-property ${where.target} MemoryMax=${size('systemd') ?? '<size>'}`],
        after: 'And raise it in whatever starts the scope (`systemd-run -p MemoryMax=`).',
      };
    default:
      return {
        text: `raise the limit of ${where.label}: \`memory.max\` (cgroup v2) or \`memory.limit_in_bytes\` (v1)${size('systemd') ? `, e.g. ${size('systemd')}${why}` : ''}, in whatever creates that cgroup.`,
      };
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
  if (workload?.kind !== 'pod' || !workload.pod) return '.';
  return ' in the workload that owns the pod, which this names:';
}

function podOwnerCode(workload: Workload | null): { code?: string[] } {
  if (workload?.kind !== 'pod' || !workload.pod) return {};
  const ns = workload.namespace ? `-n ${workload.namespace} ` : '';
  return {
    code: [
      `kubectl ${ns}get pod ${workload.pod} -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}'`,
    ],
  };
}

function ecsContainer(workload: Workload | null): string {
  return workload?.kind === 'ecs' && workload.container
    ? `container ${workload.container}'s`
    : "the container's";
}

function cpusetConstraint(facts: AnalysisFacts): FindingDraft {
  const { kill } = facts;
  const evidence = [
    stated(
      `oom-kill constraint ${kill.constraint}: only the memory nodes allowed to the allocating task counted, not the whole host`,
    ),
  ];
  return {
    family: 'cgroup-limit',
    title: `The memory nodes a cpuset or memory policy allows are too few for ${facts.victim.name}'s workload, though the host had memory elsewhere`,
    evidence,
    recommendation: advice(
      "Check which memory nodes the allocating task may use (`cat /proc/<pid>/status | grep Mems_allowed`, the container's `cpuset.mems`, `numactl --hardware` for free memory per node) and do not pin memory-hungry workloads to a single node (`docker run --cpuset-mems`, `numactl --membind`).",
    ),
  };
}
