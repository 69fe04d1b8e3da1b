import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDiagnosticsSummary } from '../../../functions/core/diagnostics/summary-parser';
import { makeTemp, removeTemp, runScript, stubBin } from './support/run-script';

/**
 * This host's dmesg always works, so the journalctl fallback is driven by stubs: dmesg failing, and a ring buffer
 * that no longer reaches back to the event.
 */
const KILL_TIME = '2026-11-25T18:28:15Z';
const KILL_EPOCH = Date.parse(KILL_TIME) / 1000;
const JOURNAL = [
  '2026-11-25T18:28:14+0000 ip-10-0-1-23 kernel: java invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0',
  '2026-11-25T18:28:14+0000 ip-10-0-1-23 kernel: Call Trace:',
  '2026-11-25T18:28:14+0000 ip-10-0-1-23 kernel: Mem-Info:',
  '2026-11-25T18:28:14+0000 ip-10-0-1-23 kernel: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/app.service,task=java,pid=4242,uid=1000',
  '2026-11-25T18:28:14+0000 ip-10-0-1-23 kernel: Out of memory: Killed process 4242 (java) total-vm:8532112kB, anon-rss:7512320kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:15120kB oom_score_adj:0',
  '2026-11-25T18:28:15+0000 ip-10-0-1-23 kernel: oom_reaper: reaped process 4242 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
].join('\n');

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
afterAll(() => {
  removeTemp(dir);
  removeTemp(bin);
});

describe('collect-diagnostics reading the kernel log from the journal', () => {
  it('falls back to journalctl -k --since when dmesg fails', async () => {
    const result = await runScript('collect-diagnostics', env, { pathFirst: [bin] });
    const summary = parseDiagnosticsSummary(result.stdout);
    expect(summary.oomKillsSinceEvent).toBe(1);
    expect(result.stdout).toContain('oom.logSource=journalctl');
    expect(summary.probes).toContainEqual({ name: 'dmesg', status: 'error' });
    expect(summary.probes).toContainEqual({ name: 'journalctl', status: 'ok' });
    // From five minutes before the event, kernel messages only, no pager.
    expect(readFileSync(join(dir, 'journal-args'), 'utf8')).toBe(
      `-k -q --no-pager -o short-iso --since @${KILL_EPOCH - 300}\n`,
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
    writeFileSync(
      join(dir, 'dmesg'),
      '[    0.000000] Linux version 6.1.0\n[    1.000000] Out of memory: Killed process 77 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n',
    );
    const result = await runScript(
      'collect-diagnostics',
      { ...env, STUB_DMESG_FILE: join(dir, 'dmesg') },
      { pathFirst: [bin] },
    );
    expect(result.stdout).toContain('oom.logSource=dmesg');
    expect(parseDiagnosticsSummary(result.stdout).probes.some((p) => p.name === 'journalctl')).toBe(false);
  });
});
