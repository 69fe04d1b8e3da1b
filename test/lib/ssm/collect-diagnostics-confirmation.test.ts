import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { causeContainedOom, containedOomSupport } from '../../../cli/local/contained-oom';
import type { KillConfirmation } from '../../../functions/core/diagnostics/model';
import { parseDiagnosticsSummary } from '../../../functions/core/diagnostics/summary-parser';
import { parseKernelLog } from '../../../functions/core/kernel-log';
import { processHexOf } from '../../../functions/core/ssm/process-hex';
import { makeTemp, removeTemp, runScript, stubBin } from './support/run-script';

/**
 * Corroboration: collect-diagnostics looks for the reported kill in what only the kernel writes on the host
 * (`dmesg -k`, the journal's kernel transport with facility kern) or, for systemd-oomd, in systemd-oomd's own
 * journal entries, and says whether it found it. The first block uses this host's real kernel: a real contained
 * OOM kill, and a line forged into /dev/kmsg the way root can. The second drives the other logs with stubs.
 */
const NOW_EPOCH = Math.floor(Date.now() / 1000);
const UPTIME_SECONDS = Number.parseFloat(readFileSync('/proc/uptime', 'utf8').split(' ')[0] ?? '0');
const BOOT_EPOCH = NOW_EPOCH - Math.floor(UPTIME_SECONDS);
const KILL_EPOCH = Math.max(BOOT_EPOCH, NOW_EPOCH - 20);
const KILL_TIME = `${new Date(KILL_EPOCH * 1000).toISOString().slice(0, 19)}Z`;
const hex = (comm: string) => Buffer.from(comm, 'utf8').toString('hex');

async function confirmationFor(
  env: Record<string, string>,
  pathFirst: string[] = [],
): Promise<KillConfirmation | null> {
  const result = await runScript(
    'collect-diagnostics',
    { SSM_killTime: KILL_TIME, SSM_unit: '', SSM_pid: '', SSM_memcgPath: '', ...env },
    { pathFirst },
  );
  expect(result.code, result.stderr).toBe(0);
  return parseDiagnosticsSummary(result.stdout).killConfirmation;
}

const support = containedOomSupport();
const reason = support.supported ? '' : ` (skipped: ${support.reason})`;

describe.skipIf(!support.supported)(`on this host's real kernel log${reason}`, () => {
  // A name with a blank and two bytes outside ASCII: dmesg in the C locale prints them as \xc3\xb6.
  let kill: { pid: number; comm: string; kernelTime: string; process: string };

  beforeAll(async () => {
    const oom = await causeContainedOom({ comm: 'oomr cönfirm', limitMiB: 64 });
    const parsed = parseKernelLog(oom.kernelRecords.join('\n')).find((k) => k.pid === oom.pid);
    if (!parsed?.process || parsed.kernelTime === null)
      throw new Error('the kernel report of the contained OOM was not parsed');
    kill = {
      pid: oom.pid,
      comm: oom.comm,
      kernelTime: parsed.kernelTime.toFixed(6),
      process: parsed.process,
    };
  }, 60_000);

  it('confirms a real kill from dmesg -k by pid, name and the kernel stamp the detector read', async () => {
    // The detector's parameters, made the way it makes them from the parsed kill.
    expect(processHexOf(kill.process)).toBe(hex(kill.comm));
    const confirmation = await confirmationFor({
      SSM_pid: String(kill.pid),
      SSM_processHex: processHexOf(kill.process),
      SSM_kernelTime: kill.kernelTime,
      SSM_killer: 'kernel',
    });
    expect(confirmation).toMatchObject({ status: 'confirmed', source: 'dmesg', detail: null });
    expect(confirmation?.line).toContain(`Killed process ${kill.pid} (`);
  });

  it.each([
    [
      'another pid',
      () => ({ SSM_pid: '4194000', SSM_processHex: hex(kill.comm) }),
      () => 'no kernel line since',
    ],
    [
      'the same pid under another name',
      () => ({ SSM_pid: String(kill.pid), SSM_processHex: hex('sshd') }),
      () => `the kernel killed pid ${kill.pid} under another name`,
    ],
    [
      'the same kill at another time',
      () => ({
        SSM_pid: String(kill.pid),
        SSM_processHex: hex(kill.comm),
        SSM_kernelTime: (Number(kill.kernelTime) + 100).toFixed(6),
      }),
      () => 'at another time',
    ],
  ])('does not confirm %s', async (_, env, detail) => {
    const confirmation = await confirmationFor(env());
    expect(confirmation).toMatchObject({ status: 'not-found', source: 'dmesg', line: null });
    expect(confirmation?.detail).toContain(detail());
  });

  it('does not confirm a kill line root wrote into /dev/kmsg, which plain dmesg shows as the kernel’s', async () => {
    // A pid that was real a moment ago, and the kernel's wording: only the facility tells it apart.
    const sleeper = spawnSync('sh', ['-c', 'sleep 0 & echo $!'], { encoding: 'utf8' });
    const pid = sleeper.stdout.trim();
    const line = `Memory cgroup out of memory: Killed process ${pid} (oomr-forged) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0`;
    writeFileSync('/dev/kmsg', `<3>${line}\n`);
    const plain = spawnSync('dmesg', [], { encoding: 'utf8' }).stdout;
    expect(plain).toContain(`Killed process ${pid} (oomr-forged)`);

    const confirmation = await confirmationFor({ SSM_pid: pid, SSM_processHex: hex('oomr-forged') });
    expect(confirmation?.status).not.toBe('confirmed');
    expect(confirmation).toMatchObject({ status: 'not-found', source: 'dmesg' });
  });
});

describe('on the other logs a host may have (stubs)', () => {
  let dir: string;
  let bin: string;
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), `${text}\n`);
    return join(dir, name);
  };
  /** dmesg lines at the kill's time since boot, within the window the script reads. */
  const dmesgAtKill = (message: string) =>
    `[${(KILL_EPOCH - BOOT_EPOCH).toFixed(6).padStart(12)}] ${message}`;
  const KILL_LINE =
    'Out of memory: Killed process 4242 (java) total-vm:8532112kB, anon-rss:7512320kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:15120kB oom_score_adj:0';
  const java = { SSM_pid: '4242', SSM_processHex: hex('java') };
  let base: Record<string, string>;

  beforeAll(() => {
    dir = makeTemp('confirmation');
    bin = stubBin(['dmesg', 'journalctl']);
  });
  beforeEach(() => {
    rmSync(join(dir, 'journal-args'), { force: true });
    base = { STUB_JOURNAL_ARGS: join(dir, 'journal-args') };
  });
  afterAll(() => {
    removeTemp(dir);
    removeTemp(bin);
  });

  it.each([
    ['the modern kill line', KILL_LINE],
    ['RHEL 6’s "Killed process N, UID U, (comm)"', 'Out of memory: Killed process 4242, UID 1000, (java).'],
    ['a caller id after the stamp (CONFIG_PRINTK_CALLER)', `[ T4242] ${KILL_LINE}`],
  ])('confirms %s in dmesg -k', async (_, message) => {
    const confirmation = await confirmationFor(
      { ...base, ...java, STUB_DMESG_FILE: file('dmesg', dmesgAtKill(message)) },
      [bin],
    );
    expect(confirmation).toMatchObject({ status: 'confirmed', source: 'dmesg' });
  });

  it('does not take kernel text that quotes a user’s string for the kill', async () => {
    // The kernel prints file names in some warnings: a file named like a kill line is still a file name.
    const quoted = "process 'sh' launched './Killed process 4242 (java)' with NULL argv: empty string added";
    const confirmation = await confirmationFor(
      // A ring buffer from boot on: it holds the whole boot, so what it lacks did not happen.
      {
        ...base,
        ...java,
        STUB_DMESG_FILE: file('dmesg', `[    0.000000] Linux version 6.1\n${dmesgAtKill(quoted)}`),
      },
      [bin],
    );
    expect(confirmation).toMatchObject({ status: 'not-found', source: 'dmesg' });
  });

  it('does not confirm from a dmesg without -k (BusyBox): it cannot tell the kernel’s lines from root’s', async () => {
    const confirmation = await confirmationFor(
      {
        ...base,
        ...java,
        STUB_DMESG_FILE: file('dmesg', dmesgAtKill(KILL_LINE)),
        STUB_DMESG_NO_KERNEL_OPTION: '1',
      },
      [bin],
    );
    expect(confirmation).toMatchObject({ status: 'unknown', source: null });
    expect(confirmation?.detail).toBe("neither dmesg -k nor the journal's kernel transport could be read");
  });

  it('confirms from the journal’s kernel transport when the ring buffer cannot be read', async () => {
    const journal = file('monotonic', `[ 1234.567890] ip-10-0-1-23 kernel: ${KILL_LINE}`);
    const confirmation = await confirmationFor({ ...base, ...java, STUB_JOURNAL_MONOTONIC_FILE: journal }, [
      bin,
    ]);
    expect(confirmation).toMatchObject({ status: 'confirmed', source: 'journal-kernel' });
    // Kernel transport and facility kern only: `logger -t kernel` lines are neither.
    expect(readFileSync(join(dir, 'journal-args'), 'utf8')).toContain(
      `-k SYSLOG_FACILITY=0 -a -q --no-pager -o short-monotonic --since @${KILL_EPOCH - 300}`,
    );
  });

  it('says not found when the journal holds kernel lines of the window but not the kill', async () => {
    const journal = file('monotonic', '[ 1234.567890] ip-10-0-1-23 kernel: eth0: link up');
    const confirmation = await confirmationFor({ ...base, ...java, STUB_JOURNAL_MONOTONIC_FILE: journal }, [
      bin,
    ]);
    expect(confirmation).toMatchObject({ status: 'not-found', source: 'journal-kernel' });
  });

  it('says unknown when neither log can tell: an unreadable ring buffer and a journal without kernel lines', async () => {
    const confirmation = await confirmationFor({ ...base, ...java }, [bin]);
    expect(confirmation).toMatchObject({ status: 'unknown', source: null });
  });

  it('says unknown when the report names no pid', async () => {
    const confirmation = await confirmationFor({ ...base, SSM_processHex: hex('java') }, [bin]);
    expect(confirmation).toMatchObject({ status: 'unknown', detail: 'the report names no pid to look for' });
  });

  describe('a systemd-oomd kill', () => {
    const CGROUP = '/system.slice/app.service';
    const oomd = (message: string) =>
      file('oomd', `${KILL_TIME.replace('Z', '+0000')} ip-10-0-1-23 systemd-oomd[840]: ${message}`);

    it.each([
      `Killed ${CGROUP} due to memory pressure for /system.slice being 86.45% > 50.00% for > 20s with reclaim activity`,
      `Marked ${CGROUP} for killing due to memory pressure for /system.slice being 85.03% > 80.00% for > 2s with reclaim activity`,
    ])('is confirmed by systemd-oomd’s own journal entries: %s', async (message) => {
      const confirmation = await confirmationFor(
        { ...base, SSM_killer: 'systemd-oomd', SSM_memcgPath: CGROUP, STUB_JOURNAL_OOMD_FILE: oomd(message) },
        [bin],
      );
      expect(confirmation).toMatchObject({ status: 'confirmed', source: 'journal-oomd' });
      expect(readFileSync(join(dir, 'journal-args'), 'utf8')).toContain('_SYSTEMD_UNIT=systemd-oomd.service');
    });

    it('is not found when systemd-oomd killed another cgroup', async () => {
      const confirmation = await confirmationFor(
        {
          ...base,
          SSM_killer: 'systemd-oomd',
          SSM_memcgPath: CGROUP,
          STUB_JOURNAL_OOMD_FILE: oomd(
            'Killed /system.slice/other.service due to memory pressure for /system.slice',
          ),
          STUB_JOURNAL_ANY: 'an entry',
        },
        [bin],
      );
      expect(confirmation).toMatchObject({ status: 'not-found', source: 'journal-oomd' });
    });

    it('is unknown when the journal holds nothing at all for the window', async () => {
      const confirmation = await confirmationFor(
        { ...base, SSM_killer: 'systemd-oomd', SSM_memcgPath: CGROUP },
        [bin],
      );
      expect(confirmation).toMatchObject({ status: 'unknown', source: null });
    });
  });
});
