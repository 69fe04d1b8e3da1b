import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, evidenceTexts, findingOf, incidentFrom } from './incidents';

// Real: stress-ng-vm took an 8 GiB host without swap ("Total swap = 0kB" in the report).
const NO_SWAP_HOST = 'modern/global-oom-6.11-stress-ng-complete.log';

describe('the no-swap finding', () => {
  it("reads a host-wide OOM without swap from the kernel's report and gives a swap-file recipe", () => {
    const noSwap = findingOf(analyzeIncident(incidentFrom(NO_SWAP_HOST), null), 'no-swap');
    expect(noSwap?.confidence).toBe(0.4);
    expect(noSwap?.title).toBe('No swap: once RAM was full, anonymous memory had nowhere to go');
    expect(evidenceTexts(noSwap)).toEqual(['no swap in the kernel report beside 8.0 GiB RAM']);
    // A quarter of 8 GiB, written with dd (swapon refuses files with holes).
    expect(adviceText(noSwap?.recommendation)).toContain(
      'sudo dd if=/dev/zero of=/swapfile bs=1M count=2048',
    );
    expect(adviceText(noSwap?.recommendation)).toContain('vm.swappiness=10');
  });

  it('sizes the swap file to the host: 1 GiB for a 2 GiB t3.small', () => {
    const noSwap = findingOf(
      analyzeIncident(incidentFrom('modern/syslog-docker-global-python-aws-elided.log'), null),
      'no-swap',
    );
    expect(adviceText(noSwap?.recommendation)).toContain('count=1024');
  });

  it('reports swap that was too small and full at the kill', () => {
    // Real: mysqld on a 32 GiB host with 1.9 GiB of swap, all of it used ("Free swap  = 0kB").
    const little = findingOf(
      analyzeIncident(incidentFrom('legacy/ubuntu1204-3.2-global-mysqld-full-dmesg.log'), null),
      'no-swap',
    );
    expect(little?.title).toBe('Little swap: 1.9 GiB (6% of RAM) was full at the kill');
    expect(little?.confidence).toBe(0.4);
  });

  it('says nothing when swap as large as RAM was used up (more swap would not have helped)', () => {
    // Real: a 2 GiB host with 2 GiB of swap, all used.
    const analysis = analyzeIncident(
      incidentFrom('legacy/ubuntu1504-3.19-global-mysqld-php5fpm-syslog.log'),
      null,
    );
    expect(findingOf(analysis, 'no-swap')).toBeUndefined();
  });

  it('weighs little for a cgroup at its limit, and nothing on a Kubernetes node', () => {
    const container = analyzeIncident(
      incidentFrom('legacy/docker-3.10-memcg-stress-no-timestamps.log'),
      diagnostics(),
    );
    expect(findingOf(container, 'no-swap')?.confidence).toBe(0.15);
    const pod = analyzeIncident(
      incidentFrom('modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log'),
      diagnostics({ kubernetes: true }),
    );
    expect(findingOf(pod, 'no-swap')).toBeUndefined();
  });
});

describe('the overcommit finding', () => {
  it('flags vm.overcommit_memory=1 on a host-wide OOM', () => {
    const finding = findingOf(
      analyzeIncident(incidentFrom(NO_SWAP_HOST), diagnostics({ vm: { overcommitMemory: 1 } })),
      'overcommit',
    );
    expect(finding?.confidence).toBe(0.3);
    expect(finding?.title).toBe(
      'vm.overcommit_memory=1: every allocation is granted, so the OOM killer is the only brake',
    );
    expect(evidenceTexts(finding)).toEqual([
      'vm.overcommit_memory = 1 (always overcommit)',
      'Committed_AS 2.7 GiB against 7.6 GiB RAM',
    ]);
    expect(adviceText(finding?.recommendation)).toContain("echo 'vm.overcommit_memory=0'");
    expect(adviceText(finding?.recommendation)).toContain('maxmemory');
  });

  it('flags far more memory promised than the host has in heuristic mode', () => {
    const finding = findingOf(
      analyzeIncident(incidentFrom(NO_SWAP_HOST), diagnostics({ memory: { committedAsKb: 14_680_064 } })),
      'overcommit',
    );
    expect(finding?.title).toBe('Processes have reserved 1.8x the memory the host has (Committed_AS 14 GiB)');
    expect(finding?.confidence).toBe(0.3);
    expect(adviceText(finding?.recommendation)).toContain('vm.overcommit_memory=2');
  });

  it('says nothing for the default settings, a cgroup kill, or without diagnostics', () => {
    expect(
      findingOf(analyzeIncident(incidentFrom(NO_SWAP_HOST), diagnostics()), 'overcommit'),
    ).toBeUndefined();
    const cgroupKill = analyzeIncident(
      incidentFrom('legacy/docker-3.10-memcg-stress-no-timestamps.log'),
      diagnostics({ vm: { overcommitMemory: 1 } }),
    );
    expect(findingOf(cgroupKill, 'overcommit')).toBeUndefined();
    expect(findingOf(analyzeIncident(incidentFrom(NO_SWAP_HOST), null), 'overcommit')).toBeUndefined();
  });
});
