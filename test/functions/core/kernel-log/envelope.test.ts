import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../../../functions/core/kernel-log/envelope';

const context = () => ({ referenceDate: new Date('2026-11-25T23:59:59Z') });

// Every line below is copied from a corpus sample (test/fixtures/kernel/*/), named after it.
describe('parseEnvelope', () => {
  it.each([
    [
      'RFC 3164 with the kernel stamp (public-grep-r-prefix-syslog1-blog, grep prefix removed)',
      'May  6 10:02:51 iZuf66b59tpzdaxbchl3d4Z kernel: [1467990.340288] Killed process 17909 (procon) total-vm:5312000kB',
      {
        transport: 'rfc3164',
        host: 'iZuf66b59tpzdaxbchl3d4Z',
        program: 'kernel',
        time: '2026-05-06T10:02:51',
        kernelTime: 1467990.340288,
        body: 'Killed process 17909 (procon) total-vm:5312000kB',
      },
    ],
    [
      'RFC 3339 from rsyslog (captured-6.18-rsyslog-imklog-rfc3339)',
      '2026-11-25T17:30:50.072620+00:00 vm kernel: [  321.765083] python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      {
        transport: 'rfc3339',
        host: 'vm',
        program: 'kernel',
        time: '2026-11-25T17:30:50.072620+00:00',
        kernelTime: 321.765083,
      },
    ],
    [
      'journalctl -o short-iso (captured-6.18-journalctl-k-short-iso)',
      '2026-11-25T17:30:50+0000 vm kernel: python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      { transport: 'journal-short-iso', host: 'vm', time: '2026-11-25T17:30:50+0000', kernelTime: null },
    ],
    [
      '/dev/kmsg record (captured-6.18-dev-kmsg)',
      '4,822,321765083,-;python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      {
        transport: 'kmsg',
        kernelTime: 321.765083,
        body: 'python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      },
    ],
    [
      'localized dmesg -T (captured-6.18-dmesg-T-de)',
      '[Mi Nov 25 17:30:49 2026] python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      {
        transport: 'dmesg-ctime',
        time: '2026-11-25T17:30:49',
        body: 'python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      },
    ],
    [
      'dmesg -x (captured-6.18-dmesg-x)',
      'kern  :warn  : [  321.765083] python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      { transport: 'dmesg', kernelTime: 321.765083 },
    ],
    [
      'printk caller id (syzkaller-printk-caller-id-5.10-global)',
      '[  244.946537][ T3106] Out of memory: Killed process 4526 (dhclient) total-vm:20464kB',
      {
        transport: 'dmesg',
        kernelTime: 244.946537,
        body: 'Out of memory: Killed process 4526 (dhclient) total-vm:20464kB',
      },
    ],
    [
      'grep -r file-name prefix (public-grep-r-prefix-syslog1-blog)',
      '/var/log/syslog.1:May  6 10:02:51 iZuf66b59tpzdaxbchl3d4Z kernel: [1467990.340288] Killed process 17909 (procon)',
      { transport: 'rfc3164', host: 'iZuf66b59tpzdaxbchl3d4Z', kernelTime: 1467990.340288 },
    ],
  ])('reads %s', (_, line, expected) => {
    expect(parseEnvelope(line, context())).toMatchObject(expected);
  });

  it('keeps the dmesg -H clock across relative stamps (captured-6.18-dmesg-H)', () => {
    const ctx = context();
    parseEnvelope(
      '[Nov25 17:33] small grower invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      ctx,
    );
    const next = parseEnvelope(
      '[  +0.000027] Memory cgroup out of memory: Killed process 4847 (big holder)',
      ctx,
    );
    expect(next).toMatchObject({
      transport: 'dmesg-human',
      time: '2026-11-25T17:33',
      body: 'Memory cgroup out of memory: Killed process 4847 (big holder)',
    });
  });

  it('infers the year of a year-less syslog date as the latest one not in the future', () => {
    const ctx = { referenceDate: new Date('2026-01-02T00:00:00Z') };
    expect(parseEnvelope('Dec 31 23:00:00 host kernel: x', ctx).time).toBe('2025-12-31T23:00:00');
    expect(parseEnvelope('Jan  2 23:00:00 host kernel: x', ctx).time).toBe('2026-01-02T23:00:00');
  });

  it('falls back to plain text when no transport is recognized', () => {
    expect(
      parseEnvelope('Warning  OOMKilling  node/x  Memory cgroup out of memory: Killed process 1', context()),
    ).toMatchObject({
      transport: 'plain',
      program: null,
      host: null,
    });
  });
});
