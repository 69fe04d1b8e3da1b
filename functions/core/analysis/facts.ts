import { diagnosisRelation } from '../diagnostics/diagnosis-time';
import type { DiagnosticsSummary } from '../diagnostics/model';
import { rssAtKillKb } from '../format/bytes';
import { isUnlimitedBytes, isUnlimitedKb } from '../format/limits';
import type { Incident } from '../incident/model';
import type { Kill, TaskRow } from '../kernel-log';
import type { MemoryTimeline } from '../metrics/memory-timeline';
import { type MemoryComposition, memoryComposition } from './memory-composition';
import { bytesToKiB } from './text';

/**
 * Where the OOM happened: a memory cgroup at its limit, the whole host, the NUMA nodes of a cpuset or memory
 * policy, or systemd-oomd acting on memory pressure before the kernel had to.
 */
export type OomScope = 'cgroup' | 'host' | 'cpuset' | 'oomd';

export interface MemoryLimit {
  limitKb: number;
  usageKb: number | null;
  failcnt: number | null;
  /** Where the number came from, for evidence lines. */
  source: 'kernel report' | 'cgroup now' | 'unit MemoryMax';
}

export interface SwapState {
  totalKb: number;
  freeKb: number | null;
  source: 'kernel report' | 'diagnostics';
}

/**
 * What the kill and the diagnostics say, merged once so each finding reads the same facts: the kernel's report
 * (the state at the kill) first, the diagnostics (the state minutes later) where the report is silent.
 */
export interface AnalysisFacts {
  incident: Incident;
  kill: Kill;
  diagnostics: DiagnosticsSummary | null;
  victim: { name: string; pid: number | null; rssKb: number | null };
  /**
   * The task whose allocation invoked the OOM killer, when it is not the victim. `otherProcess`: the task table
   * lists it as a process of its own; otherwise it may be a thread of the victim (threads have their own names).
   */
  trigger: { name: string; pid: number | null; otherProcess: boolean } | null;
  scope: OomScope;
  /** The size of the task table's pages: 4 KiB unless the victim's row shows otherwise (arm64/ppc64 64 KiB). */
  pageKb: number;
  ramKb: number | null;
  swap: SwapState | null;
  /** The cgroup limit that was hit (cgroup scope only). */
  limit: MemoryLimit | null;
  kubernetes: boolean;
  /** What filled the cgroup or the host, from the report's own breakdown; null when it printed none. */
  composition: MemoryComposition | null;
  /** The CloudWatch agent's hour before the kill (available memory, swap, its gaps); null when it was not read. */
  timeline: MemoryTimeline | null;
}

/** The facts every finding and the plan read, from the incident's first kill and the diagnostics (or none). */
export function gatherFacts(
  incident: Incident,
  diagnostics: DiagnosticsSummary | null,
  timeline: MemoryTimeline | null = null,
): AnalysisFacts {
  const kill = incident.firstKill;
  const pageKb = pageSizeKb(kill);
  const scope = scopeOf(kill);
  return {
    incident,
    kill,
    diagnostics,
    victim: {
      name: kill.process ?? kill.systemdUnit ?? kill.taskMemcg ?? 'the killed task',
      pid: kill.pid,
      rssKb: rssAtKillKb(kill),
    },
    trigger: triggerOf(kill),
    scope,
    pageKb,
    ramKb: ramOf(kill, pageKb, diagnostics),
    swap: swapOf(kill, diagnostics),
    limit: scope === 'cgroup' ? limitOf(kill, diagnostics) : null,
    kubernetes: isKubernetes(kill, diagnostics),
    composition: memoryComposition(kill),
    timeline,
  };
}

/** A task-table row's resident memory in KiB, or null when the row printed none. */
export function taskRssKb(row: TaskRow, pageKb: number): number | null {
  if (row.rssPages !== null) return row.rssPages * pageKb;
  if (row.rssAnonPages === null && row.rssFilePages === null && row.rssShmemPages === null) return null;
  return ((row.rssAnonPages ?? 0) + (row.rssFilePages ?? 0) + (row.rssShmemPages ?? 0)) * pageKb;
}

function scopeOf(kill: Kill): OomScope {
  if (kill.kind === 'systemd-oomd') return 'oomd';
  if (kill.constraint === 'CONSTRAINT_CPUSET' || kill.constraint === 'CONSTRAINT_MEMORY_POLICY')
    return 'cpuset';
  return kill.cgroup ? 'cgroup' : 'host';
}

function triggerOf(kill: Kill): AnalysisFacts['trigger'] {
  if (kill.triggeredBy === null || (kill.triggeredByPid !== null && kill.triggeredByPid === kill.pid))
    return null;
  // The invoking pid is a thread id: a process of its own only when the task table lists it.
  const otherProcess =
    kill.triggeredByPid !== null && kill.tasks.some((task) => task.pid === kill.triggeredByPid);
  // Same name and not a listed process: most likely a thread of the victim asked for the memory itself.
  if (kill.triggeredBy === kill.process && !otherProcess) return null;
  return { name: kill.triggeredBy, pid: kill.triggeredByPid, otherProcess };
}

/**
 * The victim's row prints its RSS in pages and its kill line in kB: their ratio is the page size. Most EC2
 * kernels use 4 KiB pages, some arm64 and ppc64 distributions 64 KiB, and a wrong guess would misstate RAM 16x.
 */
function pageSizeKb(kill: Kill): number {
  const row = kill.tasks.find((task) => task.pid === kill.pid);
  const rssKb = rssAtKillKb(kill);
  const pages = row?.rssPages ?? null;
  if (!pages || !rssKb) return 4;
  const ratio = rssKb / pages;
  const candidates = [4, 16, 64];
  const best = candidates.reduce((a, b) =>
    Math.abs(Math.log(ratio / b)) < Math.abs(Math.log(ratio / a)) ? b : a,
  );
  return Math.abs(Math.log(ratio / best)) < Math.log(1.5) ? best : 4;
}

/**
 * The host's usable RAM: the diagnostics' MemTotal (what processes can have, reserved memory excluded) when they
 * describe the kill's own boot and kernel; else the RAM the report printed (`N pages RAM`). Diagnostics of a
 * later boot or another kernel (a replayed sample, a host rebuilt since) may be of another machine's RAM.
 */
function ramOf(kill: Kill, pageKb: number, diagnostics: DiagnosticsSummary | null): number | null {
  const sameBoot = diagnostics !== null && diagnosisRelation(kill, diagnostics).notAboutThisKill === null;
  if (sameBoot && diagnostics.memory.totalKb !== null) return diagnostics.memory.totalKb;
  return kill.ramPages === null ? null : kill.ramPages * pageKb;
}

function swapOf(kill: Kill, diagnostics: DiagnosticsSummary | null): SwapState | null {
  if (kill.swapTotalKb !== null)
    return { totalKb: kill.swapTotalKb, freeKb: kill.swapFreeKb, source: 'kernel report' };
  if (!diagnostics) return null;
  const devices = diagnostics.swaps;
  if (devices.length > 0) {
    const totalKb = devices.reduce((sum, device) => sum + device.sizeKb, 0);
    const usedKb = devices.reduce((sum, device) => sum + device.usedKb, 0);
    return { totalKb, freeKb: totalKb - usedKb, source: 'diagnostics' };
  }
  const totalKb = diagnostics.memory.swapTotalKb;
  return totalKb === null ? null : { totalKb, freeKb: diagnostics.memory.swapFreeKb, source: 'diagnostics' };
}

function limitOf(kill: Kill, diagnostics: DiagnosticsSummary | null): MemoryLimit | null {
  if (kill.memoryLimitKb !== null && !isUnlimitedKb(kill.memoryLimitKb)) {
    return {
      limitKb: kill.memoryLimitKb,
      usageKb: kill.memoryUsageKb,
      failcnt: kill.memoryFailcnt,
      source: 'kernel report',
    };
  }
  const cgroup = diagnostics?.cgroup;
  if (cgroup && cgroup.path !== '/' && cgroup.limitBytes !== null && !isUnlimitedBytes(cgroup.limitBytes)) {
    const usageKb = cgroup.usageBytes === null ? null : bytesToKiB(cgroup.usageBytes);
    return { limitKb: bytesToKiB(cgroup.limitBytes), usageKb, failcnt: null, source: 'cgroup now' };
  }
  const unit = diagnostics?.unit;
  if (
    unit &&
    unit.name === kill.systemdUnit &&
    unit.memoryMaxBytes !== null &&
    !isUnlimitedBytes(unit.memoryMaxBytes)
  ) {
    const usageKb = unit.memoryCurrentBytes === null ? null : bytesToKiB(unit.memoryCurrentBytes);
    return { limitKb: bytesToKiB(unit.memoryMaxBytes), usageKb, failcnt: null, source: 'unit MemoryMax' };
  }
  return null;
}

function isKubernetes(kill: Kill, diagnostics: DiagnosticsSummary | null): boolean {
  if (diagnostics?.kubernetes) return true;
  if (kill.container?.podUid) return true;
  return [kill.oomMemcg, kill.taskMemcg].some((path) => path?.includes('kubepods') ?? false);
}
