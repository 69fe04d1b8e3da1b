import { describe, expect, it } from 'vitest';
import type { KillToRecord } from '../../../../functions/core/detect/ports';
import { uniqueKills } from '../../../../functions/core/detect/unique-kills';
import { digestKill } from '../../../../functions/core/incident/kill-digest';
import { KERNEL_CORPUS, parseFile } from '../../../support/corpus';

async function recordsOf(fixture: string): Promise<KillToRecord[]> {
  const kills = await parseFile(`${KERNEL_CORPUS}${fixture}`);
  return kills.map((kill) => ({ kill, digest: digestKill(kill, 'host'), observedAtMs: 0 }));
}

describe('uniqueKills', () => {
  it('records an oom.group victim printed twice in one report once', async () => {
    const records = await recordsOf('modern/k8s-containerd-oom-group-double-kill-grep.log');
    // Two `Killed process 22609 (node)` lines with two kernel times: two keys, one kill.
    expect(new Set(records.map((r) => r.digest.key)).size).toBe(2);
    const { unique, repeated } = uniqueKills(records);
    expect(unique.map((r) => r.kill.pid)).toEqual([22609]);
    expect(repeated.map((d) => d.pid)).toEqual([22609]);
  });

  it('keeps the distinct victims of a report with several kills', async () => {
    const records = await recordsOf('legacy/ubuntu1004-2.6.32-vps-console-vsz-six-kills.log');
    const pids = records.map((r) => r.kill.pid);
    expect(uniqueKills(records).unique.map((r) => r.kill.pid)).toEqual([...new Set(pids)]);
    expect(new Set(pids).size).toBe(pids.length);
  });
});
