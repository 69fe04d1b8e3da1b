import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, evidenceTexts, families, findingOf, incidentFrom } from './incidents';

describe('cgroup limit reached versus the whole host exhausted', () => {
  it("tells a container at its own limit from a host out of memory, from the kernel's report alone", () => {
    // Real: `stress` at its docker container's 1 GiB limit (memory: usage 1048576kB, limit 1048576kB).
    const analysis = analyzeIncident(incidentFrom('legacy/docker-3.10-memcg-stress-no-timestamps.log'), null);
    const limit = findingOf(analysis, 'cgroup-limit');

    expect(families(analysis)).toEqual(['cgroup-limit']);
    // The hypothesis, not the kernel's certainty (the limit was hit: "What happened" says that).
    expect(limit?.title).toBe(
      'The 1.0 GiB memory limit of docker container 555fa75e9e7d is too small for what stress needs, or stress grew past it',
    );
    // One kernel fact for it (the usage at the limit); no RAM is known to say the host had memory to spare.
    expect(limit?.confidence).toBe(0.4);
    expect(limit?.evidence).toEqual([
      { kind: 'kernel', text: 'at the kill: memory usage 1.0 GiB, limit 1.0 GiB, failcnt 267' },
      // anon-rss:1048132kB + shmem (not printed by 3.10) against limit 1048576kB; file-rss is only 12 kB.
      {
        kind: 'context',
        text: "stress's own charge to the cgroup: anon 1024 MiB + shmem 0 KiB = 1024 MiB, 100% of the 1.0 GiB limit",
      },
    ]);
    // The peak is the usage line's 1048576 kB; plus 25% is 1280 MiB, already a multiple of 64 MiB.
    expect(adviceText(limit?.recommendation)).toContain(
      'docker update --memory 1280m --memory-swap 1280m 555fa75e9e7d',
    );
  });

  it('says the host was not out of memory when the diagnostics give its RAM', () => {
    const analysis = analyzeIncident(
      incidentFrom('legacy/docker-3.10-memcg-stress-no-timestamps.log'),
      diagnostics(),
    );
    expect(evidenceTexts(findingOf(analysis, 'cgroup-limit'))).toContain(
      "the limit is 13% of the host's 7.6 GiB RAM: the host itself was not out of memory",
    );
    expect(findingOf(analysis, 'host-exhausted')).toBeUndefined();
  });

  it('names the parent cgroup that held the limit, not the child the victim ran in', () => {
    // Real (captured on the CI host): the limit is on oomtest4, the victim ran in oomtest4/app.service.
    const limit = findingOf(
      analyzeIncident(incidentFrom('modern/host-v1-memcg-nested-php-fpm.log'), null),
      'cgroup-limit',
    );
    expect(limit?.title).toBe(
      'The 40 MiB memory limit of cgroup /process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4, the parent of app.service is too small for what php-fpm: pool w needs, or php-fpm: pool w grew past it',
    );
    expect(adviceText(limit?.recommendation)).toContain(
      'raise the limit of cgroup /process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4, the parent of app.service:',
    );
    expect(evidenceTexts(limit)[3]).toBe(
      'the limit belongs to /process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4; the victim ran in its child /process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4/app.service',
    );
  });

  it("recommends the pod's resources.limits.memory for a Kubernetes container", () => {
    // Real: xray in a Guaranteed pod at its 200 MiB limit (cgroup v2, containerd, systemd driver).
    const limit = findingOf(
      analyzeIncident(incidentFrom('modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log'), null),
      'cgroup-limit',
    );
    expect(limit?.title).toBe(
      'The 200 MiB memory limit of pod 089f25ee-a41a-414c-a028-71a38dfb30d3 is too small for what xray needs, or xray grew past it',
    );
    // usage 208204kB (203 MiB, above the 204800kB limit) is the peak: plus 25% is 254 MiB, rounded up to 256Mi.
    expect(adviceText(limit?.recommendation)).toContain('`resources.limits.memory` (e.g. 256Mi: 203 MiB,');
  });

  it("reports the killed unit's state after the kill, as systemd saw it", () => {
    // Real (captured on the CI host): php-fpm killed in app.service; the diagnostics tell what systemd did next.
    const analysis = analyzeIncident(
      incidentFrom('modern/host-v1-memcg-nested-php-fpm.log'),
      diagnostics({
        unit: {
          name: 'app.service',
          activeState: 'active',
          subState: 'running',
          result: 'oom-kill',
          nRestarts: 1,
          memoryMaxBytes: null,
          memoryCurrentBytes: 31 * 1024 * 1024,
          oomPolicy: 'stop',
        },
      }),
    );
    expect(evidenceTexts(findingOf(analysis, 'cgroup-limit'))).toContain(
      'app.service now: state active/running, Result=oom-kill, NRestarts=1, OOMPolicy=stop',
    );
  });

  it('reports a host-wide OOM with RAM, swap, the victim and the largest tasks', () => {
    // Real: stress-ng-vm took an 8 GiB host without swap (6.11, complete report).
    const analysis = analyzeIncident(incidentFrom('modern/global-oom-6.11-stress-ng-complete.log'), null);
    const host = findingOf(analysis, 'host-exhausted');

    expect(families(analysis)).toEqual(['host-exhausted', 'no-swap']);
    // The hypothesis; that the whole host ran out, with RAM and swap, is "What happened".
    expect(host?.title).toBe(
      'The host is too small for what runs on it, or something on it grew: the largest task, stress-ng-vm, held 7.6 GiB',
    );
    expect(host?.evidence).toEqual([
      {
        kind: 'kernel',
        text: 'global OOM (CONSTRAINT_NONE): no cgroup limit was involved, the host had no memory left',
      },
      { kind: 'context', text: 'RAM 8.0 GiB, no swap' },
      // 7.6 GiB of 8 GiB in one task: "something grew", in the kernel's own table.
      { kind: 'kernel', text: "stress-ng-vm (pid 116) held 7.6 GiB, 95% of RAM, in the kernel's table" },
      {
        kind: 'context',
        text: "largest tasks in the kernel's table: stress-ng-vm (pid 116) 7.6 GiB, stress-ng (pid 114) 18 MiB, sh (pid 111) 1.1 MiB",
      },
    ]);
    expect(host?.confidence).toBe(0.64);
    expect(adviceText(host?.recommendation)).toContain('MemoryMax=6080M');
    expect(adviceText(host?.recommendation)).toContain('t3.xlarge (twice the memory of t3.large)');
    expect(adviceText(host?.recommendation)).toContain('mem_available_percent');
  });

  it('distinguishes the task that asked for memory from the victim', () => {
    // Real: php5-fpm invoked the OOM killer, mysqld (the largest) was killed, on a 2 GiB host with full swap.
    const host = findingOf(
      analyzeIncident(
        incidentFrom('legacy/ubuntu1504-3.19-global-mysqld-php5fpm-syslog.log', {
          instance: { instanceType: 't3.small' },
        }),
        null,
      ),
      'host-exhausted',
    );
    // The victim and the trigger are "What happened" now; the finding keeps the host's figures as context.
    expect(evidenceTexts(host).join('\n')).not.toContain('killed: mysqld');
    expect(evidenceTexts(host)).toContain('RAM 2.0 GiB, swap 2.0 GiB, 0 KiB free');
  });

  it('does not call a cpuset-constrained OOM a host out of memory', () => {
    // Real: containerd killed under CONSTRAINT_CPUSET while the host had ~600 GiB free on other nodes.
    const analysis = analyzeIncident(
      incidentFrom('modern/cpuset-constraint-runc-init-no-timestamps-5.8.log'),
      null,
    );
    expect(findingOf(analysis, 'host-exhausted')).toBeUndefined();
    expect(findingOf(analysis, 'cgroup-limit')?.title).toBe(
      "The memory nodes a cpuset or memory policy allows are too few for containerd's workload, though the host had memory elsewhere",
    );
  });

  it('reports a systemd-oomd kill as memory pressure, with its reason', () => {
    const analysis = analyzeIncident(
      incidentFrom('modern/systemd-oomd-marked-for-killing-monotonic.log'),
      null,
    );
    const pressure = findingOf(analysis, 'host-exhausted');
    expect(pressure?.title).toBe(
      'The workloads in /system.slice need more memory than they get, or its memory pressure limit is tighter than they tolerate',
    );
    expect(evidenceTexts(pressure)).toContain(
      "systemd-oomd's rule: memory pressure for /system.slice being 85.03% > 80.00% for > 2s with reclaim activity",
    );
    expect(findingOf(analysis, 'cgroup-limit')).toBeUndefined();
  });
});
