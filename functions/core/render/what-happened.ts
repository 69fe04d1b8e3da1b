import { describeHolder, limitHolderOf } from '../analysis/limit-holder';
import type { ContainerInfo } from '../diagnostics/model';
import { chargedAtKillKb, formatKiB, rssAtKillKb } from '../format/bytes';
import { isUnlimitedKb } from '../format/limits';
import type { Incident } from '../incident/model';
import type { Kill } from '../kernel-log';
import { readableCgroupPath, workloadOf } from '../workload';
import { ASSUMED_PAGE_KIB, type Fact, limitPhrase, placeLabel } from './kill-facts';
import { oneLine } from './text-fit';

/**
 * What the kernel (or systemd-oomd) stated about the kill, for certain and with no confidence: where memory ran
 * out and by how much, who was killed, who asked for the memory, whether the whole cgroup went, how many kills.
 * Only the report's own lines: nothing the diagnostics found later, nothing a heuristic guessed. Why it happened
 * is the findings' business, each with its evidence.
 */
export function whatHappened(incident: Incident, containers: readonly ContainerInfo[] = []): Fact[] {
  const kill = incident.firstKill;
  // The kernel's cgroup paths, with a container's id read as its name where the diagnostics map it.
  const workload = workloadOf(kill.container, containers);
  const path = (p: string) => readableCgroupPath(p, workload);
  const facts: (Fact | null)[] = [
    { label: 'Scope', value: scopeOf(kill, path) },
    { label: 'Killed', value: `${victimOf(kill)}${placeOf(kill, containers)}` },
    triggerOf(kill),
    kill.oomGroupMemcg
      ? {
          label: 'memory.oom.group',
          value: `set on ${path(kill.oomGroupMemcg)}: the kernel killed every task in it, not one`,
        }
      : null,
    incident.killCount > 1 ? { label: 'Kills', value: `${incident.killCount} in this incident` } : null,
  ];
  return facts.filter((fact): fact is Fact => fact !== null).map((f) => ({ ...f, value: oneLine(f.value) }));
}

/** Where memory ran out, with the kernel's figures: the cgroup's limit and usage, or the host's RAM, free, swap. */
function scopeOf(kill: Kill, path: (p: string) => string): string {
  if (kill.kind === 'systemd-oomd') {
    const unit = kill.systemdUnit ?? kill.taskMemcg ?? 'a cgroup';
    return `systemd-oomd killed ${unit}${kill.reason ? ` on its rule: ${kill.reason}` : ''} (the kernel OOM killer did not run)`;
  }
  if (kill.cgroup) return cgroupScope(kill, path);
  const parts: string[] = [];
  if (kill.ramPages !== null) parts.push(`RAM ${formatKiB(kill.ramPages * ASSUMED_PAGE_KIB)}`);
  if (kill.memInfo?.freeKb !== null && kill.memInfo?.freeKb !== undefined)
    parts.push(`free ${formatKiB(kill.memInfo.freeKb)}`);
  if (kill.swapTotalKb !== null) {
    const free = kill.swapFreeKb === null ? '' : `, ${formatKiB(kill.swapFreeKb)} free`;
    parts.push(kill.swapTotalKb === 0 ? 'no swap' : `swap ${formatKiB(kill.swapTotalKb)}${free}`);
  }
  const constraint = kill.constraint ? ` (${kill.constraint})` : '';
  return `the whole host ran out of memory${constraint}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

function cgroupScope(kill: Kill, path: (p: string) => string): string {
  const holder = limitHolderOf(kill);
  const where = kill.container
    ? `cgroup ${path(kill.oomMemcg ?? kill.taskMemcg ?? '?')}`
    : describeHolder(holder);
  const usage = kill.memoryUsageKb === null ? '' : `usage ${formatKiB(kill.memoryUsageKb)}, `;
  const failcnt = kill.memoryFailcnt ? `, failcnt ${kill.memoryFailcnt}` : '';
  if (kill.memoryLimitKb === null) return `confined to a memory cgroup, ${where} (its limit was not printed)`;
  if (isUnlimitedKb(kill.memoryLimitKb)) {
    // No limit on the cgroup the report names: something else (memory.high, a BPF or PSI handler) made it kill.
    return `confined to a memory cgroup with no limit set, ${where}: ${usage}${limitPhrase(kill.memoryLimitKb)}${kill.constraint ? `, ${kill.constraint}` : ''}`;
  }
  return `a cgroup's memory limit was reached, ${where}: ${usage}${limitPhrase(kill.memoryLimitKb)}${failcnt}`;
}

/** ` in pod payments/api-7d9f (container api)`: whose workload it was, by name where the diagnostics tell it. */
function placeOf(kill: Kill, containers: readonly ContainerInfo[]): string {
  if (kill.kind === 'systemd-oomd') return '';
  const place = placeLabel(
    { systemdUnit: kill.systemdUnit, container: kill.container, memcg: kill.taskMemcg ?? kill.oomMemcg },
    containers,
  );
  return place ? `, in ${place}` : ', a process of the host itself';
}

/** The victim with the kernel's figures: RSS (split where the cgroup charge differs), oom_score_adj. */
function victimOf(kill: Kill): string {
  if (kill.kind === 'systemd-oomd') {
    const unit = kill.systemdUnit ?? kill.taskMemcg ?? 'a cgroup';
    const usage = kill.oomdCandidate?.memoryUsageKb;
    const candidate = kill.oomdCandidate;
    const pressure =
      candidate?.pressureAvg10 === null || candidate?.pressureAvg10 === undefined
        ? ''
        : `, pressure avg10 ${candidate.pressureAvg10}%`;
    return usage === null || usage === undefined
      ? `${unit}, every process in it (systemd-oomd printed no memory figures for it)`
      : `${unit}, every process in it: Current Memory Usage ${formatKiB(usage)}${pressure} (systemd-oomd's figures)`;
  }
  const pid = kill.pid === null ? '' : ` (pid ${kill.pid})`;
  const parts: string[] = [];
  const rss = rssAtKillKb(kill);
  if (rss !== null) {
    const charged = chargedAtKillKb(kill);
    const split =
      kill.anonRssKb !== null
        ? ` (anon ${formatKiB(kill.anonRssKb)}, file ${formatKiB(kill.fileRssKb ?? 0)}, shmem ${formatKiB(kill.shmemRssKb ?? 0)}${kill.cgroup && charged !== null ? `; charged to the cgroup: ${formatKiB(charged)}` : ''})`
        : '';
    parts.push(`RSS ${formatKiB(rss)}${split}`);
    if (kill.cgroup && kill.memoryLimitKb !== null && rss > kill.memoryLimitKb) {
      parts.push(
        "RSS above the limit: its file pages may be charged to another cgroup, the limit counts the cgroup's usage",
      );
    }
  }
  if (kill.oomScoreAdj !== null) parts.push(`oom_score_adj ${kill.oomScoreAdj}`);
  return `${kill.process ?? 'unknown process'}${pid}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** The task whose allocation invoked the OOM killer, with its allocation's order when it was not a single page. */
function triggerOf(kill: Kill): Fact | null {
  if (!kill.triggeredBy) return null;
  const pid = kill.triggeredByPid ? ` (pid ${kill.triggeredByPid})` : '';
  const self = kill.triggeredByPid !== null && kill.triggeredByPid === kill.pid ? ', the victim itself' : '';
  // An order above 0 asks for contiguous pages: fragmentation, not only the amount, can be the trouble.
  const order =
    kill.order !== null && kill.order > 0
      ? `, an order-${kill.order} allocation (${2 ** kill.order} contiguous pages${kill.gfpMask ? `, gfp_mask=${kill.gfpMask}` : ''})`
      : '';
  return { label: 'Triggered by', value: `${kill.triggeredBy}${pid}${self}${order}` };
}
