import type { KillDigest } from '../incident/model';
import type { KillToRecord } from './ports';

/**
 * The kills of a group with each key once, in their order, and the repeats. A batch can carry one kill twice (two
 * agents shipping one file, a line repeated by a retry of the agent's upload); recorded twice, it would be counted
 * twice, and DynamoDB refuses a transaction that names one item twice (ValidationException).
 */
export function uniqueKills(kills: readonly KillToRecord[]): {
  unique: KillToRecord[];
  repeated: KillDigest[];
} {
  const seen = new Set<string>();
  const unique: KillToRecord[] = [];
  const repeated: KillDigest[] = [];
  for (const kill of kills) {
    if (seen.has(kill.digest.key)) repeated.push(kill.digest);
    else {
      seen.add(kill.digest.key);
      unique.push(kill);
    }
  }
  return { unique, repeated };
}
