import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseDiagnosticsSummary } from '../../../functions/core/diagnostics/summary-parser';
import { makeTemp, removeTemp, runScript, stubBin } from './support/run-script';

/**
 * This host's dmesg always works, so the journalctl fallback is driven by stubs: dmesg failing, and a ring buffer
 * that no longer reaches back to the event. Every time is relative to now and to this host's boot (which may be a
 * minute ago on a fresh machine), never fixed: the script compares the kill with both.
 */
const UPTIME_SECONDS = Number.parseFloat(readFileSync('/proc/uptime', 'utf8').split(' ')[0] ?? '0');
const NOW_EPOCH = Math.floor(Date.now() / 1000);
const BOOT_EPOCH = NOW_EPOCH - Math.floor(UPTIME_SECONDS);
/** The kill, received 20 s ago (or at boot, on a host up for less than that). */
const KILL_EPOCH = Math.max(BOOT_EPOCH, NOW_EPOCH - 20);
const KILL_TIME = isoSeconds(KILL_EPOCH);

function isoSeconds(epoch: number): string {
  return `${new Date(epoch * 1000).toISOString().slice(0, 19)}Z`;
}

/** `journalctl -o short-iso` lines, `secondsBefore` the kill. */
function journalLine(secondsBefore: number, message: string): string {
  const stamp = new Date((KILL_EPOCH - secondsBefore) * 1000).toISOString().slice(0, 19);
  return `${stamp}+0000 ip-10-0-1-23 kernel: ${message}`;
}

/** A dmesg line at `secondsSinceBoot`, as `[    12.345678]`. */
function dmesgLine(secondsSinceBoot: number, message: string): string {
  return `[${secondsSinceBoot.toFixed(6).padStart(12)}] ${message}`;
}

const JOURNAL = [
  journalLine(
    1,
    'java invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0',
  ),
  journalLine(1, 'Call Trace:'),
  journalLine(1, 'Mem-Info:'),
  journalLine(
    1,
    'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/app.service,task=java,pid=4242,uid=1000',
  ),
  journalLine(
    1,
    'Out of memory: Killed process 4242 (java) total-vm:8532112kB, anon-rss:7512320kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:15120kB oom_score_adj:0',
  ),
  journalLine(0, 'oom_reaper: reaped process 4242 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB'),
].join('\n');

const DMESG_KILL =
  'Out of memory: Killed process 77 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB';

let dir: string;
let bin: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = makeTemp('kernel-log');
  bin = stubBin(['dmesg', 'journalctl']);
  writeFileSync(join(dir, 'journal'), `${JOURNAL}\n`);
  env = {
    SSM_killTime: KILL_TIME,
    SSM_unit: '',
    SSM_pid: '4242',
    SSM_memcgPath: '',
    STUB_JOURNAL_FILE: join(dir, 'journal'),
    STUB_JOURNAL_ARGS: join(dir, 'journal-args'),
  };
});
beforeEach(() => rmSync(join(dir, 'journal-args'), { force: true }));
afterAll(() => {
  removeTemp(dir);
  removeTemp(bin);
});

/** journalctl's arguments, one call a line, in order. */
function journalCalls(): string[] {
  return readFileSync(join(dir, 'journal-args'), 'utf8').trimEnd().split('\n');
}

describe('collect-diagnostics reading the kernel log from the journal', () => {
  it('falls back to journalctl -k --since when dmesg fails', async () => {
    const result = await runScript('collect-diagnostics', env, { pathFirst: [bin] });
    const summary = parseDiagnosticsSummary(result.stdout);
    expect(summary.oomKillsSinceEvent).toBe(1);
    expect(result.stdout).toContain('oom.logSource=journalctl');
    expect(summary.probes).toContainEqual({ name: 'dmesg', status: 'error' });
    expect(summary.probes).toContainEqual({ name: 'journalctl', status: 'ok' });
    // From five minutes before the event, what the kernel wrote (kernel transport, facility kern), no pager.
    expect(journalCalls()[0]).toBe(
      `-k SYSLOG_FACILITY=0 -q --no-pager -o short-iso --since @${KILL_EPOCH - 300}`,
    );
    const kernel = result.stdout.slice(result.stdout.indexOf('--- kernel OOM messages (journalctl'));
    expect(kernel).toContain('Out of memory: Killed process 4242 (java)');
    expect(kernel).toContain('oom_reaper: reaped process 4242');
    expect(kernel).not.toContain('Call Trace:');
  });

  it('prefers the journal when the ring buffer starts after the event', async () => {
    // Seconds since boot far beyond the event: older lines were overwritten.
    writeFileSync(join(dir, 'dmesg'), '[99999999.000000] eth0: link up\n');
    const result = await runScript(
      'collect-diagnostics',
      { ...env, STUB_DMESG_FILE: join(dir, 'dmesg') },
      { pathFirst: [bin] },
    );
    expect(result.stdout).toContain('oom.logSource=journalctl');
    expect(parseDiagnosticsSummary(result.stdout).probes).toContainEqual({ name: 'dmesg', status: 'ok' });
  });

  it('keeps to dmesg when its buffer reaches back to the event', async () => {
    // A buffer that starts at boot holds all of this boot, however recent the boot and the kill.
    const killSinceBoot = KILL_EPOCH - BOOT_EPOCH;
    writeFileSync(
      join(dir, 'dmesg'),
      `${dmesgLine(0, 'Linux version 6.1.0')}\n${dmesgLine(killSinceBoot, DMESG_KILL)}\n`,
    );
    const result = await runScript(
      'collect-diagnostics',
      { ...env, STUB_DMESG_FILE: join(dir, 'dmesg') },
      { pathFirst: [bin] },
    );
    expect(result.stdout).toContain('oom.logSource=dmesg');
    const summary = parseDiagnosticsSummary(result.stdout);
    expect(summary.oomKillsSinceEvent).toBe(1);
    expect(summary.probes.some((p) => p.name === 'journalctl')).toBe(false);
  });

  it('keeps to dmesg on a host booted a minute ago, when the margin before the kill reaches before boot', async () => {
    // 60 s of uptime, the kill 20 s ago: the 300 s margin starts before boot, which no buffer can reach.
    writeFileSync(join(dir, 'uptime'), '60.00 100.00\n');
    writeFileSync(
      join(dir, 'dmesg'),
      `${dmesgLine(0, 'Linux version 6.1.0')}\n${dmesgLine(40, DMESG_KILL)}\n`,
    );
    const result = await runScript(
      'collect-diagnostics',
      {
        ...env,
        SSM_killTime: isoSeconds(NOW_EPOCH - 20),
        STUB_DMESG_FILE: join(dir, 'dmesg'),
        OOM_RESPONDER_PROC_UPTIME: join(dir, 'uptime'),
      },
      { pathFirst: [bin] },
    );
    expect(result.stdout).toContain('oom.logSource=dmesg');
    expect(parseDiagnosticsSummary(result.stdout).oomKillsSinceEvent).toBe(1);
  });

  it('prefers the journal when the kill was before this boot', async () => {
    // The ring buffer of this boot holds a kill of its own, but not the one asked about, an hour before boot.
    writeFileSync(
      join(dir, 'dmesg'),
      `${dmesgLine(0, 'Linux version 6.1.0')}\n${dmesgLine(1, DMESG_KILL)}\n`,
    );
    const before = isoSeconds(BOOT_EPOCH - 3600);
    const result = await runScript(
      'collect-diagnostics',
      { ...env, SSM_killTime: before, STUB_DMESG_FILE: join(dir, 'dmesg') },
      { pathFirst: [bin] },
    );
    expect(result.stdout).toContain('oom.logSource=journalctl');
    expect(journalCalls()[0]).toBe(
      `-k SYSLOG_FACILITY=0 -q --no-pager -o short-iso --since @${BOOT_EPOCH - 3600 - 300}`,
    );
  });
});
