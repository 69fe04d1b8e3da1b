import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagnosticsSummaryNotFoundError } from '../../../../functions/core/diagnostics/errors';
import type { DiagnosticsSummary } from '../../../../functions/core/diagnostics/model';
import { SUMMARY_END, SUMMARY_START } from '../../../../functions/core/diagnostics/summary-lines';
import { parseDiagnosticsSummary } from '../../../../functions/core/diagnostics/summary-parser';

const CAPTURE = readFileSync(
  fileURLToPath(
    new URL('../../../fixtures/diagnostics/collect-diagnostics-debian12-cgroup-v1.stdout', import.meta.url),
  ),
  'utf8',
);

const summaryOf = (...lines: string[]) => `${SUMMARY_START}\n${lines.join('\n')}\n${SUMMARY_END}\n`;

describe('parseDiagnosticsSummary on a real capture', () => {
  const summary = parseDiagnosticsSummary(CAPTURE);

  it('reads the host', () => {
    expect(summary).toMatchObject({
      version: 1,
      collectedAt: '2026-11-25T18:28:16Z',
      hostname: 'vm',
      kernelRelease: '6.18.44-fc-v782',
      uptimeSeconds: 3768.3,
      load: [6.13, 5.13, 3.25],
      cpuCount: 2,
      instanceId: null,
      instanceType: null,
      availabilityZone: null,
    });
  });

  it('reads memory, vm settings and swap', () => {
    expect(summary.memory).toEqual({
      totalKb: 24683620,
      availableKb: 22621128,
      freeKb: 22369292,
      buffersKb: 2800,
      cachedKb: 425960,
      swapTotalKb: 0,
      swapFreeKb: 0,
      commitLimitKb: 12341808,
      committedAsKb: 1157340,
      slabKb: 121772,
      sReclaimableKb: 93872,
      sUnreclaimKb: 27900,
      shmemKb: 8952,
      anonPagesKb: 1541764,
    });
    expect(summary.vm).toEqual({
      overcommitMemory: 0,
      overcommitRatio: 50,
      swappiness: 60,
      panicOnOom: 0,
      minFreeKbytes: 67584,
    });
    expect(summary.swaps).toEqual([]);
  });

  it('reads the 15 largest processes with their cut command lines, and the counts', () => {
    expect(summary.topProcesses).toHaveLength(15);
    expect(summary.topProcesses[0]).toEqual({
      pid: 5995,
      rssKb: 960408,
      oomScore: 693,
      oomScoreAdj: 0,
      comm: 'node',
      cmdline: 'node /work/main/node_modules/.bin/tsc --noEmit -p .',
    });
    const big = summary.topProcesses[1];
    expect(big?.cmdline.startsWith('/usr/bin/node -e const b = Buffer.alloc(300 * 1024 * 1024, 1);')).toBe(
      true,
    );
    expect(big?.cmdline.length).toBe(300);
    expect(summary.topProcesses[4]?.comm).toBe('npm exec vitest');
    expect(summary.processTotal).toBe(94);
    expect(summary.processCounts[0]).toEqual({ name: 'bash', count: 10 });
    expect(summary.processCounts).toHaveLength(5);
  });

  it('reads the unit, the cgroup, containers, Kubernetes, JVMs, disk and slab', () => {
    expect(summary.unit).toEqual({
      name: 'oomr-fixture.service',
      activeState: null,
      subState: null,
      result: null,
      nRestarts: null,
      memoryMaxBytes: null,
      memoryCurrentBytes: null,
      oomPolicy: null,
    });
    expect(summary.cgroup).toEqual({
      version: 1,
      path: '/process_api/8dc1f9a302eb15367865117e7f6656a9',
      limitBytes: null,
      usageBytes: 525963264,
      oomKills: 0,
      // Captured before the script reported the cgroup's swap allowance.
      swap: null,
    });
    expect(summary.containers).toEqual([]);
    expect(summary.kubernetes).toBe(false);
    expect(summary.jvms).toEqual([
      { pid: 6405, maxHeapBytes: 512 * 1024 * 1024, maxRamPercentage: 75, rssKb: 3120 },
    ]);
    expect(summary.disk).toEqual({ path: '/', fsType: 'ext4', totalKb: 264212084, availableKb: 82915868 });
    expect(summary.slabTop).toHaveLength(10);
    expect(summary.slabTop[0]).toEqual({ name: 'ext4_inode_cache', sizeKb: 57862 });
  });

  it('reads the OOM counts and every probe’s outcome', () => {
    expect(summary.oomKillsSinceEvent).toBe(2);
    expect(summary.oomKillsSinceBoot).toBe(32);
    expect(summary.probes).toHaveLength(17);
    expect(summary.probes).toContainEqual({ name: 'systemctl', status: 'error' });
    expect(summary.probes).toContainEqual({ name: 'imds', status: 'error' });
    expect(summary.probes.filter((p) => p.status === 'ok')).toHaveLength(15);
  });

  it('reads the same from stdout truncated at 24,000 characters, as GetCommandInvocation returns it', () => {
    const padded = `${CAPTURE}${'x'.repeat(10_000)}`;
    expect(parseDiagnosticsSummary(padded.slice(0, 24_000))).toEqual(summary);
  });
});

describe('parseDiagnosticsSummary on a cut output', () => {
  const full = parseDiagnosticsSummary(CAPTURE);
  const start = CAPTURE.indexOf(SUMMARY_START) + SUMMARY_START.length;
  const end = CAPTURE.indexOf(SUMMARY_END);

  /** What a cut may do to a value: take it away (null, '' or a shorter list), never change it. */
  function expectSubset(cut: DiagnosticsSummary): void {
    const expectKept = (value: unknown, original: unknown) => {
      if (value === null || value === '') return;
      if (Array.isArray(value)) {
        expect(value.length).toBeLessThanOrEqual((original as unknown[]).length);
        value.forEach((item, i) => {
          expectKept(item, (original as unknown[])[i]);
        });
      } else if (typeof value === 'object') {
        for (const [field, v] of Object.entries(value))
          expectKept(v, (original as Record<string, unknown>)[field]);
      } else {
        expect(value).toEqual(original);
      }
    };
    for (const key of Object.keys(full) as (keyof DiagnosticsSummary)[]) {
      // `kubernetes` is false until its line is read, like any flag.
      if (key !== 'kubernetes') expectKept(cut[key], full[key]);
    }
  }

  it('yields what the kept lines hold, and no half value, wherever the cut falls', () => {
    fc.assert(
      fc.property(fc.integer({ min: start, max: end + 10 }), (at) => {
        expectSubset(parseDiagnosticsSummary(CAPTURE.slice(0, at)));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('drops a half-written last line rather than read a number cut short', () => {
    expect(parseDiagnosticsSummary(`${SUMMARY_START}\nprocessTotal=9`).processTotal).toBeNull();
    expect(parseDiagnosticsSummary(`${SUMMARY_START}\nprocessTotal=94\n`).processTotal).toBe(94);
  });
});

describe('parseDiagnosticsSummary on edge cases', () => {
  it('gives nulls and empty lists for a summary with no keys at all', () => {
    const summary = parseDiagnosticsSummary(summaryOf());
    expect(summary.hostname).toBeNull();
    expect(summary.load).toBeNull();
    expect(Object.values(summary.memory).every((v) => v === null)).toBe(true);
    expect(Object.values(summary.vm).every((v) => v === null)).toBe(true);
    expect(summary).toMatchObject({
      swaps: [],
      topProcesses: [],
      processCounts: [],
      unit: null,
      cgroup: null,
      containers: [],
      kubernetes: false,
      jvms: [],
      disk: null,
      slabTop: [],
      probes: [],
      oomKillsSinceEvent: null,
    });
  });

  it('ignores unknown keys, lines without =, and text around the summary', () => {
    const stdout = `agent noise\n${summaryOf('futureKey=1', 'no equals sign', '=orphan', 'hostname=web-1')}more\n`;
    expect(parseDiagnosticsSummary(stdout).hostname).toBe('web-1');
  });

  it('keeps = and spaces inside values', () => {
    const summary = parseDiagnosticsSummary(
      summaryOf(
        'process.1.pid=7',
        'process.1.rssKb=1',
        'process.1.comm=php-fpm: pool w',
        'process.1.cmdline=java -Da=b=c',
      ),
    );
    expect(summary.topProcesses[0]).toMatchObject({ comm: 'php-fpm: pool w', cmdline: 'java -Da=b=c' });
  });

  it('tolerates Windows line ends', () => {
    expect(
      parseDiagnosticsSummary(summaryOf('hostname=web-1', 'cpuCount=4').replace(/\n/g, '\r\n')),
    ).toMatchObject({
      hostname: 'web-1',
      cpuCount: 4,
    });
  });

  it('orders list entries by index and drops those missing their identity', () => {
    const summary = parseDiagnosticsSummary(
      summaryOf(
        'jvm.10.pid=30',
        'jvm.2.pid=20',
        'jvm.1.maxHeapBytes=5',
        'container.1.id=abc',
        'container.2.runtime=docker',
        'container.2.id=def',
        'container.2.memoryLimitBytes=',
        'swap.1.path=/swapfile',
        'swap.1.type=file',
        'swap.1.sizeKb=1024',
        'swap.1.usedKb=0',
        'swap.1.priority=-2',
        'process.x.pid=1',
        'slab.1.name=dentry',
      ),
    );
    expect(summary.jvms.map((j) => j.pid)).toEqual([20, 30]);
    expect(summary.containers).toEqual([
      {
        runtime: 'docker',
        id: 'def',
        name: null,
        image: null,
        memoryLimitBytes: null,
        kubernetes: null,
        ecs: null,
      },
    ]);
    expect(summary.swaps).toEqual([
      { path: '/swapfile', type: 'file', sizeKb: 1024, usedKb: 0, priority: -2 },
    ]);
    expect(summary.topProcesses).toEqual([]);
    expect(summary.slabTop).toEqual([]);
  });

  it('reads a pod written as one name, <namespace>/<pod>/<container>, by scripts before the k8s keys', () => {
    const summary = parseDiagnosticsSummary(
      summaryOf(
        'container.1.runtime=containerd',
        'container.1.id=abc',
        'container.1.name=shop/web-7f9c/nginx',
      ),
    );
    expect(summary.containers[0]).toMatchObject({
      name: 'nginx',
      kubernetes: { namespace: 'shop', pod: 'web-7f9c', container: 'nginx', podUid: null },
    });
  });

  it('turns malformed values into nulls instead of guesses', () => {
    const summary = parseDiagnosticsSummary(
      summaryOf(
        'cpuCount=two',
        'uptimeSeconds=1e9',
        'load=1 2',
        'memory.totalKb=-',
        'cgroup.version=3',
        'cgroup.path=/x',
        'unit.nRestarts=[not set]',
        'unit.name=a.service',
        'kubernetes=yes',
        'probe.ps=slow',
        'probe.df=ok',
      ),
    );
    expect(summary).toMatchObject({
      cpuCount: null,
      uptimeSeconds: null,
      load: null,
      cgroup: null,
      kubernetes: false,
    });
    expect(summary.memory.totalKb).toBeNull();
    expect(summary.unit?.nRestarts).toBeNull();
    expect(summary.probes).toEqual([{ name: 'df', status: 'ok' }]);
  });

  it.each([
    [
      'a swap limit of its own',
      ['cgroup.swapLimitBytes=33554432', 'cgroup.swapLimitSource=memory.memsw.limit_in_bytes'],
      { limitBytes: 33554432, source: 'memory.memsw.limit_in_bytes' },
    ],
    [
      'no swap limit (an empty value with its source)',
      ['cgroup.swapLimitBytes=', 'cgroup.swapLimitSource=unaccounted'],
      { limitBytes: null, source: 'unaccounted' },
    ],
    ['nothing said', ['cgroup.swapLimitBytes=', 'cgroup.swapLimitSource='], null],
    ['a source it does not know', ['cgroup.swapLimitBytes=0', 'cgroup.swapLimitSource=guess'], null],
  ])('reads the cgroup’s swap allowance: %s', (_, lines, swap) => {
    const summary = parseDiagnosticsSummary(
      summaryOf('cgroup.version=1', 'cgroup.path=/app', 'cgroup.limitBytes=67108864', ...lines),
    );
    expect(summary.cgroup?.swap).toEqual(swap);
  });

  it('reads a cgroup v2 state and a unit with limits', () => {
    const summary = parseDiagnosticsSummary(
      summaryOf(
        'cgroup.version=2',
        'cgroup.path=/system.slice/myapp.service',
        'cgroup.limitBytes=536870912',
        'cgroup.usageBytes=536850000',
        'cgroup.oomKills=3',
        'cgroup.swapLimitBytes=0',
        'cgroup.swapLimitSource=memory.swap.max',
        'unit.name=myapp.service',
        'unit.activeState=failed',
        'unit.subState=failed',
        'unit.result=oom-kill',
        'unit.nRestarts=0',
        'unit.memoryMaxBytes=536870912',
        'unit.memoryCurrentBytes=',
        'unit.oomPolicy=stop',
      ),
    );
    expect(summary.cgroup).toEqual({
      version: 2,
      path: '/system.slice/myapp.service',
      limitBytes: 536870912,
      usageBytes: 536850000,
      oomKills: 3,
      swap: { limitBytes: 0, source: 'memory.swap.max' },
    });
    expect(summary.unit).toMatchObject({
      activeState: 'failed',
      result: 'oom-kill',
      memoryMaxBytes: 536870912,
    });
    expect(summary.unit?.memoryCurrentBytes).toBeNull();
  });

  it('recognises the markers only as whole lines', () => {
    expect(() => parseDiagnosticsSummary(`process.1.cmdline=echo ${SUMMARY_START}\n`)).toThrow(
      DiagnosticsSummaryNotFoundError,
    );
    expect(
      parseDiagnosticsSummary(summaryOf(`process.1.cmdline=echo ${SUMMARY_END}`, 'hostname=h')).hostname,
    ).toBe('h');
  });

  it('throws a typed, non-retryable error when there is no summary at all', () => {
    const stdout =
      'collect-diagnostics: refused: parameter unit does not match its allowed pattern\n\u001b[31m';
    let caught: unknown;
    try {
      parseDiagnosticsSummary(stdout);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DiagnosticsSummaryNotFoundError);
    const error = caught as DiagnosticsSummaryNotFoundError;
    expect(error.name).toBe('DiagnosticsSummaryNotFoundError');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('no "=== oom-responder summary v1 ===" line');
    expect(error.message).not.toContain('\u001b');
    expect(() => parseDiagnosticsSummary('')).toThrow(DiagnosticsSummaryNotFoundError);
  });
});
