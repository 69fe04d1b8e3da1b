import { isReprint } from '../incident/kill-digest';
import type { KillDigest } from '../incident/model';
import type { KillToRecord } from './ports';

/**
 * The kills of a group with each key once, in their order, and the repeats. A batch can carry one kill twice (two
 * agents shipping one file, a line repeated by a retry of the agent's upload); recorded twice, it would be counted
 * twice, and DynamoDB refuses a transaction that names one item twice (ValidationException). A victim the kernel
 * printed twice in one report (`isReprint`: an oom.group victim) is one kill too, though its two lines have two keys.
 */
export function uniqueKills(kills: readonly KillToRecord[]): {
  unique: KillToRecord[];
  repeated: KillDigest[];
} {
  const seen = new Set<string>();
  // The last kept kill of each pid: a reprint follows its first print within one report.
  const byPid = new Map<number, KillDigest>();
  const unique: KillToRecord[] = [];
  const repeated: KillDigest[] = [];
  for (const kill of kills) {
    const { digest } = kill;
    const earlier = digest.pid === null ? undefined : byPid.get(digest.pid);
    if (seen.has(digest.key) || (earlier && isReprint(earlier, digest))) repeated.push(digest);
    else {
      seen.add(digest.key);
      if (digest.pid !== null) byPid.set(digest.pid, digest);
      unique.push(kill);
    }
  }
  return { unique, repeated };
}
