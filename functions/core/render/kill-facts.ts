import { diagnosisRelation } from '../diagnostics/diagnosis-time';
import type { ContainerInfo, DiagnosticsSummary } from '../diagnostics/model';
import { formatKiB } from '../format/bytes';
import { formatLimitKb, isUnlimitedKb } from '../format/limits';
import type { Incident, KillDigest } from '../incident/model';
import type { ContainerRef, Kill } from '../kernel-log';
import { isNamed, readableCgroupPath, type Workload, workloadLabel, workloadOf } from '../workload';
import { oneLine, present } from './text-fit';

/** What the kill and the instance tell, in words: every value is already one clean line. */
export interface Fact {
  label: string;
  value: string;
}

/** Kernel task-table RSS is in pages; EC2's x86_64 and Graviton Linux AMIs use 4 KiB pages. */
export const ASSUMED_PAGE_KIB = 4;

/** The name on-call knows the host by, with the instance id beside it when both are known. */
export function hostLabel(incident: Incident): string {
  const { instance, firstKill, source } = incident;
  const name = present(instance.name) ?? present(instance.hostname) ?? present(firstKill.hostname);
  const id = present(instance.instanceId);
  if (name && id && name !== id) return oneLine(`${name} (${id})`);
  return oneLine(name ?? id ?? present(source.logStream) ?? 'an unknown host');
}

/** `java (pid 4242)`, or `user@1000.service (systemd-oomd)` for a systemd-oomd kill, which names no pid. */
export function victimLabel(kill: Kill): string {
  if (kill.kind === 'systemd-oomd') {
    return oneLine(`${present(kill.systemdUnit) ?? present(kill.taskMemcg) ?? 'a cgroup'} (systemd-oomd)`);
  }
  const pid = kill.pid === null ? '' : ` (pid ${kill.pid})`;
  return oneLine(`${present(oneLine(kill.process ?? '')) ?? 'unknown process'}${pid}`);
}

export function containerLabel(container: ContainerRef): string {
  const id = container.id ? `${container.runtime ?? 'container'} ${container.id.slice(0, 12)}` : null;
  const pod = container.podUid ? `pod ${container.podUid}` : null;
  return [pod, id].filter(Boolean).join(', ');
}

/** The victim's workload when the diagnostics name it (a pod, an ECS task, a container), else null. */
export function namedWorkload(
  container: Readonly<ContainerRef> | null,
  containers: readonly ContainerInfo[] = [],
): Workload | null {
  const workload = workloadOf(container, containers);
  return workload && isNamed(workload) ? workload : null;
}

/**
 * Unit, container or pod (by name when the diagnostics tell it: `pod payments/api-7d9f (container api)`), else the
 * memory cgroup path, else null (a process of the host itself).
 */
export function placeLabel(
  kill: Pick<KillDigest, 'systemdUnit' | 'container' | 'memcg'>,
  containers: readonly ContainerInfo[] = [],
): string | null {
  const workload = namedWorkload(kill.container, containers);
  if (workload) return oneLine(workloadLabel(workload));
  if (kill.container) return present(containerLabel(kill.container));
  if (present(kill.systemdUnit)) return kill.systemdUnit;
  return present(kill.memcg) && kill.memcg !== '/' ? kill.memcg : null;
}

/** `limit 96 MiB`, or `no limit` for the kernel's unset value. */
export function limitPhrase(limitKb: number): string {
  return isUnlimitedKb(limitKb) ? 'no limit' : `limit ${formatLimitKb(limitKb)}`;
}

export function scopeLabel(kill: Kill): string {
  if (kill.kind === 'systemd-oomd') return 'cgroup, killed by systemd-oomd on memory pressure';
  if (kill.cgroup) {
    const limit = kill.memoryLimitKb === null ? '' : ` ${limitPhrase(kill.memoryLimitKb)}`;
    const usage = kill.memoryUsageKb === null ? '' : ` (usage ${formatKiB(kill.memoryUsageKb)})`;
    return `cgroup-confined:${limit}${usage}`.replace(/:$/, '');
  }
  const ram = kill.ramPages === null ? '' : `, RAM ${formatKiB(kill.ramPages * ASSUMED_PAGE_KIB)}`;
  const swap =
    kill.swapTotalKb === null
      ? ''
      : kill.swapTotalKb === 0
        ? ', no swap'
        : `, swap ${formatKiB(kill.swapTotalKb)}`;
  return `host-wide${ram}${swap}`;
}

/**
 * The kill's time as the log printed it, marked when it carries no offset; else the kernel's uptime stamp; else
 * `unknown`. Never when the line was received or read: that is not when the kernel killed.
 */
export function timeLabel(time: string | null, kernelTime: number | null): string {
  if (time) return /(?:Z|[+-]\d\d:?\d\d)$/.test(time) ? time : `${time} (host clock)`;
  if (kernelTime !== null) return `${kernelTime.toFixed(1)} s after boot`;
  return 'unknown';
}

/**
 * Where and when: the place, time, instance and kernel of the first kill, in the order an engineer reads them.
 * What the kernel stated about the kill itself (scope, victim, trigger) is `whatHappened`.
 */
export function killFacts(incident: Incident, summary: DiagnosticsSummary | null): Fact[] {
  const kill = incident.firstKill;
  const { instance } = incident;
  const type = instance.instanceType ?? summary?.instanceType ?? null;
  const zone = instance.availabilityZone ?? summary?.availabilityZone ?? null;
  const facts: (Fact | null)[] = [
    {
      label: 'Unit / container / pod',
      // A cgroup kill whose report names no cgroup (a 3.x report cut to its kill lines) was not a host process.
      value:
        placeLabel(digestPlace(kill), summary?.containers) ??
        (kill.cgroup ? 'a memory cgroup the report does not name' : 'none (a host process)'),
    },
    // The log's own time only: when CloudWatch received a line, or when a preview ran, is not when the kill was.
    { label: 'Killed at', value: timeLabel(kill.time, kill.kernelTime) },
    { label: 'Instance', value: instanceValue(incident) },
    type || zone ? { label: 'Type / AZ', value: [type, zone].filter(Boolean).join(' in ') } : null,
    kernelFact(kill, summary),
  ];
  return facts
    .filter((fact): fact is Fact => fact !== null)
    .map((f) => ({ label: f.label, value: oneLine(f.value) }));
}

/** The kernel the report printed; else the one the diagnostics found, labelled as theirs and as another boot's. */
function kernelFact(kill: Kill, summary: DiagnosticsSummary | null): Fact | null {
  if (kill.kernelVersion) return { label: 'Kernel', value: kill.kernelVersion };
  if (!summary?.kernelRelease) return null;
  return { label: diagnosisLabel('Kernel', kill, summary), value: summary.kernelRelease };
}

/**
 * `Memory at diagnosis (18:28:16)`: a fact the diagnostics found minutes after the kill, with their time, and
 * `(18:28:16; a later boot: not about this kill)` when they describe another boot or kernel than the kill's.
 */
export function diagnosisLabel(what: string, kill: Kill, summary: DiagnosticsSummary): string {
  const { at, notAboutThisKill } = diagnosisRelation(kill, summary);
  const parts = [at, notAboutThisKill ? `${notAboutThisKill.kind}: not about this kill` : null].filter(
    Boolean,
  );
  return oneLine(`${what} at diagnosis${parts.length > 0 ? ` (${parts.join('; ')})` : ''}`);
}

function digestPlace(kill: Kill): Pick<KillDigest, 'systemdUnit' | 'container' | 'memcg'> {
  return { systemdUnit: kill.systemdUnit, container: kill.container, memcg: kill.taskMemcg ?? kill.oomMemcg };
}

function instanceValue(incident: Incident): string {
  const { instance } = incident;
  if (instance.resolvedBy === 'unresolved') {
    const seen = instance.hostname ?? incident.firstKill.hostname ?? incident.source.logStream;
    return `unresolved${seen ? ` (${seen})` : ''}`;
  }
  return [instance.instanceId, instance.name].filter(Boolean).join(' ') || 'unknown';
}

/** What the kernel's report itself says caused the kill: shown when there is no analysis to say more. */
export function kernelFinding(kill: Kill): string {
  if (kill.kind === 'systemd-oomd') {
    return `systemd-oomd killed ${kill.systemdUnit ?? kill.taskMemcg ?? 'a cgroup'}${kill.reason ? `: ${kill.reason}` : ''}`;
  }
  if (kill.cgroup) {
    // A container's 64-hex id cut to the short id people know it by (the full path stays in the kernel log).
    const memcg = kill.oomMemcg ?? kill.taskMemcg;
    const where = memcg === null ? null : readableCgroupPath(memcg, null);
    if (kill.memoryLimitKb !== null && isUnlimitedKb(kill.memoryLimitKb)) {
      // The report's memory: line is the OOM cgroup's own: with no limit set, something other than a limit
      // (a BPF or PSI handler, memory.high, the constraint printed) made the kernel kill inside it.
      const usage = kill.memoryUsageKb === null ? '' : `usage ${formatKiB(kill.memoryUsageKb)}, `;
      const constraint = kill.constraint ? `, ${kill.constraint}` : '';
      return oneLine(
        `The kernel killed inside ${where ? `cgroup ${where}` : 'a cgroup the report does not name'} (${usage}no limit set${constraint}).`,
      );
    }
    const usage =
      kill.memoryLimitKb === null
        ? ''
        : `: usage ${formatKiB(kill.memoryUsageKb ?? kill.memoryLimitKb)} of ${formatKiB(kill.memoryLimitKb)}`;
    const failcnt = kill.memoryFailcnt ? ` (failcnt ${kill.memoryFailcnt})` : '';
    return oneLine(
      `The memory limit of ${where ? `cgroup ${where}` : 'a cgroup the report does not name'} was reached${usage}${failcnt}.`,
    );
  }
  return oneLine(
    `The whole host ran out of memory (${scopeLabel(kill).replace(/^host-wide,? ?/, '') || 'no memory summary printed'}).`,
  );
}
