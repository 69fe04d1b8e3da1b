import type { DiagnosticsSummary } from './model';

/** What the kill tells about the boot it happened in: its time, its seconds after boot and its kernel. */
export interface KillClock {
  time: string | null;
  kernelTime: number | null;
  kernelVersion: string | null;
}

/** How the diagnostics relate to the kill: when they were taken, and whether they describe its boot at all. */
export interface DiagnosisRelation {
  /** `18:28:16`, the host's time the summary was written, or null when it did not say. */
  at: string | null;
  /** Why the diagnostics describe another boot or kernel than the kill's, or null when nothing says so. */
  notAboutThisKill: { kind: 'a later boot' | 'another kernel'; detail: string } | null;
}

/** A clock's slack between the kill's stamp and the uptime the script read. */
const SLACK_SECONDS = 60;

/**
 * The diagnostics were taken minutes after the kill, maybe after a reboot or on a host with another kernel (a
 * replayed sample, a host rebuilt since): their RAM, processes and uptime then say nothing about the kill.
 * A later boot shows as an uptime shorter than the time since the kill (or than the kill's own seconds after
 * boot); another kernel as a release other than the one the report printed.
 */
export function diagnosisRelation(kill: KillClock, summary: DiagnosticsSummary): DiagnosisRelation {
  return {
    at: clockOf(summary.collectedAt),
    notAboutThisKill: laterBoot(kill, summary) ?? otherKernel(kill, summary),
  };
}

/** `18:28:16` of an ISO time, as the host wrote it. */
function clockOf(iso: string | null): string | null {
  const match = iso ? /T(\d\d:\d\d:\d\d)/.exec(iso) : null;
  return match?.[1] ?? null;
}

function laterBoot(kill: KillClock, summary: DiagnosticsSummary): DiagnosisRelation['notAboutThisKill'] {
  const uptime = summary.uptimeSeconds;
  if (uptime === null) return null;
  if (kill.kernelTime !== null && kill.kernelTime > uptime + SLACK_SECONDS) {
    const detail = `the host had been up ${Math.round(uptime)} s, the kill was ${Math.round(kill.kernelTime)} s after its boot`;
    return { kind: 'a later boot', detail };
  }
  const killedAt = kill.time && /(?:Z|[+-]\d\d:?\d\d)$/.test(kill.time) ? Date.parse(kill.time) : Number.NaN;
  const collectedAt = summary.collectedAt ? Date.parse(summary.collectedAt) : Number.NaN;
  if (Number.isNaN(killedAt) || Number.isNaN(collectedAt)) return null;
  const since = (collectedAt - killedAt) / 1000;
  if (since > uptime + SLACK_SECONDS) {
    const detail = `the host had been up ${Math.round(uptime)} s, the kill was ${Math.round(since)} s before`;
    return { kind: 'a later boot', detail };
  }
  return null;
}

function otherKernel(kill: KillClock, summary: DiagnosticsSummary): DiagnosisRelation['notAboutThisKill'] {
  const reported = kill.kernelVersion?.split(/\s/)[0] ?? null;
  const running = summary.kernelRelease;
  if (!reported || !running || reported === running) return null;
  return { kind: 'another kernel', detail: `the report printed ${reported}, the host runs ${running}` };
}
