import { describe, expect, it } from 'vitest';
import { defaultHostKey, groupKills } from '../../../../functions/core/incident/group-kills';
import type { Kill } from '../../../../functions/core/kernel-log';
import { KERNEL_CORPUS, parseFile } from '../../../support/corpus';

async function kill(overrides: Partial<Kill>): Promise<Kill> {
  const [base] = await parseFile(`${KERNEL_CORPUS}legacy/rhel6-2.6.32-642-global-java-full-syslog.log`);
  if (!base) throw new Error('corpus changed');
  return { ...base, hostname: null, ...overrides };
}

describe('groupKills', () => {
  it('joins kills of one host within 15 minutes of the first, and opens a new incident after', async () => {
    const kills = [
      await kill({ pid: 1, time: '2026-05-17T17:00:28Z', logStream: 'i-0a1b2c3d4e5f60789' }),
      await kill({ pid: 2, time: '2026-05-17T17:09:00Z', logStream: 'i-0a1b2c3d4e5f60789' }),
      await kill({ pid: 3, time: '2026-05-17T17:15:28Z', logStream: 'i-0a1b2c3d4e5f60789' }),
      await kill({ pid: 4, time: '2026-05-17T17:15:29Z', logStream: 'i-0a1b2c3d4e5f60789' }),
    ];
    const groups = groupKills(kills);
    expect(groups.map((group) => group.kills.map((k) => k.pid))).toEqual([[1, 2, 3], [4]]);
    expect(groups[0]?.hostKey).toBe('i-0a1b2c3d4e5f60789');
  });

  it('keeps hosts apart, in the order their first kills came', async () => {
    const kills = [
      await kill({ pid: 1, time: '2026-05-17T17:00:00Z', logStream: 'i-0000000000000000b' }),
      await kill({ pid: 2, time: '2026-05-17T17:00:01Z', logStream: 'i-0000000000000000a' }),
      await kill({ pid: 3, time: '2026-05-17T17:00:02Z', logStream: 'i-0000000000000000b' }),
    ];
    expect(groupKills(kills).map((group) => [group.hostKey, group.kills.map((k) => k.pid)])).toEqual([
      ['i-0000000000000000b', [1, 3]],
      ['i-0000000000000000a', [2]],
    ]);
  });

  it('compares kernel uptimes when there is no wall clock, and takes a smaller uptime for a reboot', async () => {
    const kills = [
      await kill({ pid: 1, time: null, kernelTime: 505_667.75, hostname: 'vps' }),
      await kill({ pid: 2, time: null, kernelTime: 505_789.95, hostname: 'vps' }),
      await kill({ pid: 3, time: null, kernelTime: 506_800, hostname: 'vps' }),
      await kill({ pid: 4, time: null, kernelTime: 12.5, hostname: 'vps' }),
    ];
    expect(groupKills(kills).map((group) => group.kills.map((k) => k.pid))).toEqual([[1, 2], [3], [4]]);
  });

  it('joins kills with no comparable time to the open incident rather than paging twice', async () => {
    const kills = [
      await kill({ pid: 1, time: null, kernelTime: null }),
      await kill({ pid: 2, time: null, kernelTime: null }),
    ];
    expect(groupKills(kills)).toHaveLength(1);
  });

  it('reads a time without offset as UTC for both kills, and takes a window and a host key', async () => {
    const kills = [
      await kill({ pid: 1, time: '2026-05-17T17:00:28', hostname: 'a' }),
      await kill({ pid: 2, time: '2026-05-17T17:01:30', hostname: 'b' }),
    ];
    expect(
      groupKills(kills, { windowSeconds: 60, hostKeyOf: () => 'same' }).map((g) => g.kills.length),
    ).toEqual([1, 1]);
    expect(
      groupKills(kills, { windowSeconds: 120, hostKeyOf: () => 'same' }).map((g) => g.kills.length),
    ).toEqual([2]);
  });

  it('takes the host name as the host, else the log stream, as the detector does', async () => {
    const both = await kill({ logStream: 'i-0a1b2c3d4e5f60789', hostname: 'ip-10-0-1-5' });
    expect(defaultHostKey(both)).toBe('ip-10-0-1-5');
    expect(defaultHostKey(await kill({ logStream: 'i-0a1b2c3d4e5f60789', hostname: null }))).toBe(
      'i-0a1b2c3d4e5f60789',
    );
    expect(defaultHostKey(await kill({ logStream: null, hostname: null }))).toBe('-');
  });
});

describe('a victim the kernel printed twice', () => {
  it('is one kill of its incident: the oom.group victim of a real report', async () => {
    const kills = await parseFile(`${KERNEL_CORPUS}modern/k8s-containerd-oom-group-double-kill-grep.log`);
    // The log prints `Killed process 22609 (node)` twice, 10 ms apart, in one report.
    expect(kills.map((k) => k.pid)).toEqual([22609, 22609]);
    expect(groupKills(kills).map((group) => group.kills.length)).toEqual([1]);
  });

  it('is still two kills when the pid comes back later (another report) or with another comm', async () => {
    const kills = [
      await kill({ pid: 7, kernelTime: 100, time: null, hostname: 'h' }),
      await kill({ pid: 7, kernelTime: 160, time: null, hostname: 'h' }),
      await kill({ pid: 7, process: 'other', kernelTime: 160.2, time: null, hostname: 'h' }),
    ];
    expect(groupKills(kills).map((group) => group.kills.length)).toEqual([3]);
  });
});
