import { rssAtKillKb } from '../format/bytes';
import type { Kill } from '../kernel-log';
import type { KillDigest } from './model';

/**
 * The dedupe key of a kill: the same kill delivered twice (CloudWatch retries, Lambda's async retries, two
 * agents shipping one file) has the same key. Host + pid + kernel time identify a kill across transports; without
 * a kernel time, the log event id (unique per CloudWatch event) or the wall time stands in.
 */
export function killKey(kill: Kill, hostKey: string): string {
  const who = `${hostKey}|${kill.kind}|${kill.pid ?? kill.taskMemcg ?? kill.process ?? '?'}`;
  if (kill.kernelTime !== null) return `${who}|k${kill.kernelTime.toFixed(6)}`;
  if (kill.eventId !== null) return `${who}|e${kill.eventId}`;
  return `${who}|t${kill.time ?? '?'}`;
}

export function digestKill(kill: Kill, hostKey: string): KillDigest {
  return {
    key: killKey(kill, hostKey),
    time: kill.time,
    kernelTime: kill.kernelTime,
    pid: kill.pid,
    process: kill.process,
    kind: kill.kind,
    rssKb: rssAtKillKb(kill),
    anonRssKb: kill.anonRssKb,
    cgroup: kill.cgroup,
    memcg: kill.taskMemcg ?? kill.oomMemcg,
    systemdUnit: kill.systemdUnit,
    container: kill.container,
  };
}
