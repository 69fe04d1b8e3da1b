import { rssAtKillKb } from '../format/bytes';
import type { Kill } from '../kernel-log';
import { boundedKeyPart, clipText, MAX_DIGEST_FIELD_CHARS, MAX_DIGEST_PATH_CHARS } from './bounded-text';
import type { KillDigest } from './model';

/**
 * The dedupe key of a kill: the same kill delivered twice (CloudWatch retries, Lambda's async retries, two
 * agents shipping one file) has the same key. Host + pid + kernel time identify a kill across transports; without
 * a kernel time, the log event id (unique per CloudWatch event) or the wall time stands in. Bounded in length
 * (`boundedKeyPart`): it is part of DynamoDB keys.
 */
export function killKey(kill: Kill, hostKey: string): string {
  const who = `${hostKey}|${kill.kind}|${kill.pid ?? kill.taskMemcg ?? kill.process ?? '?'}`;
  if (kill.kernelTime !== null) return boundedKeyPart(`${who}|k${kill.kernelTime.toFixed(6)}`);
  if (kill.eventId !== null) return boundedKeyPart(`${who}|e${kill.eventId}`);
  return boundedKeyPart(`${who}|t${kill.time ?? '?'}`);
}

/** What an incident keeps of a kill; its text fields clipped, so that the 50 it lists stay small. */
export function digestKill(kill: Kill, hostKey: string): KillDigest {
  const short = <T extends string | null>(text: T) => clipText(text, MAX_DIGEST_FIELD_CHARS);
  return {
    key: killKey(kill, hostKey),
    time: short(kill.time),
    kernelTime: kill.kernelTime,
    pid: kill.pid,
    process: short(kill.process),
    kind: kill.kind,
    rssKb: rssAtKillKb(kill),
    anonRssKb: kill.anonRssKb,
    cgroup: kill.cgroup,
    memcg: clipText(kill.taskMemcg ?? kill.oomMemcg, MAX_DIGEST_PATH_CHARS),
    systemdUnit: short(kill.systemdUnit),
    container: kill.container && {
      runtime: short(kill.container.runtime),
      id: short(kill.container.id),
      podUid: short(kill.container.podUid),
    },
    oomGroupMemcg: clipText(kill.oomGroupMemcg, MAX_DIGEST_PATH_CHARS),
  };
}

/** The fields that tell one kill from another printed twice. */
type KillIdentity = Pick<KillDigest, 'kind' | 'pid' | 'process' | 'kernelTime' | 'time'>;

/** How far apart (seconds of kernel time) two lines of one report can be: a report prints in microseconds. */
const SAME_REPORT_SECONDS = 1;

/**
 * Whether `later` is `earlier` printed again rather than a second kill: the kernel prints an oom.group victim
 * twice in one report (once as the chosen victim, once as a member of its group, mm/oom_kill.c), and a process
 * dies once, so the same pid and comm within one report is one kill. Not a dedupe key: the two lines differ in
 * kernel time, so `killKey` tells them apart.
 */
export function isReprint(earlier: KillIdentity, later: KillIdentity): boolean {
  if (earlier.kind !== 'kernel' || later.kind !== 'kernel') return false;
  if (earlier.pid === null || earlier.pid !== later.pid || earlier.process !== later.process) return false;
  if (earlier.kernelTime !== null && later.kernelTime !== null) {
    const gap = later.kernelTime - earlier.kernelTime;
    return gap >= 0 && gap < SAME_REPORT_SECONDS;
  }
  return earlier.kernelTime === later.kernelTime && earlier.time === later.time;
}
