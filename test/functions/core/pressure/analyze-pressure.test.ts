import { describe, expect, it } from 'vitest';
import type { RecentAction } from '../../../../functions/core/analysis/input';
import { type PolicyInput, parsePolicy } from '../../../../functions/core/policy/policy';
import {
  type AnalyzePressureInput,
  analyzePressure,
} from '../../../../functions/core/pressure/analyze-pressure';
import { CONFIRM_MARGIN_POINTS } from '../../../../functions/core/pressure/host-reading';
import {
  PRESSURE_INSTANCE,
  pressureDiagnostics,
  pressureEvent,
  pressureSample,
  series,
} from '../../../support/pressure';

const NOW = '2026-11-25T03:14:00.000Z';
const preventive = parsePolicy({ addSwap: { enabled: true, preventive: true } });
const policy = (input: PolicyInput) => parsePolicy(input);
// 6 % available, falling 0.4 points a minute; swap none.
const falling = series('mem_available_percent', 60, (before) => 6 + 0.4 * before);
const noSwap = series('swap_used_percent', 60, () => 0);

function analyze(overrides: Partial<AnalyzePressureInput> = {}) {
  return analyzePressure({
    event: pressureEvent(),
    diagnostics: pressureDiagnostics(),
    series: [falling, noSwap],
    policy: preventive,
    recentActions: [],
    now: NOW,
    ...overrides,
  });
}

describe('the analysis of a memory-pressure warning', () => {
  it('projects the exhaustion from the available-memory series when the host has no swap', () => {
    const analysis = analyze();
    expect(analysis.swapPresent).toBe(false);
    expect(analysis.swap).toBeNull();
    expect(analysis.exhaustion).toEqual({
      minutes: Math.round((6 / 24) * 60),
      bound: 'about',
      from: ['mem_available_percent'],
    });
    expect(analysis.metrics.status).toBe('read');
  });

  it('with swap, waits for swap to fill too: the later of the two', () => {
    const swapped = pressureDiagnostics({
      swaps: [{ path: '/swapfile', type: 'file', sizeKb: 2_097_148, usedKb: 1_677_718, priority: -2 }],
      memory: { ...pressureDiagnostics().memory, swapTotalKb: 2_097_148, swapFreeKb: 419_430 },
    });
    // 80 % used, filling at 30 points an hour: 40 minutes; available reaches 0 in 15.
    const filling = series('swap_used_percent', 60, (before) => 80 - 0.5 * before);
    const analysis = analyze({ diagnostics: swapped, series: [falling, filling] });
    expect(analysis.swapPresent).toBe(true);
    expect(analysis.swap?.minutes).toBe(40);
    expect(analysis.exhaustion).toEqual({
      minutes: 40,
      bound: 'about',
      from: ['mem_available_percent', 'swap_used_percent'],
    });
    // Swap that is not filling yet leaves only a lower bound.
    const idle = series('swap_used_percent', 60, () => 20);
    expect(analyze({ diagnostics: swapped, series: [falling, idle] }).exhaustion).toEqual({
      minutes: 15,
      bound: 'at least',
      from: ['mem_available_percent'],
    });
  });

  it('makes no estimate when the metrics are flat, missing, or could not be read', () => {
    const flat = series('mem_available_percent', 60, () => 6);
    expect(analyze({ series: [flat, noSwap] }).exhaustion).toBeNull();
    const none = analyze({
      series: [
        { ...falling, points: [] },
        { ...noSwap, points: [] },
      ],
    });
    expect(none.metrics.status).toBe('none');
    expect(none.available).toBeNull();
    const failed = analyze({ series: { failed: 'GetMetricData failed: AccessDenied' } });
    expect(failed.metrics).toEqual({ status: 'failed', detail: 'GetMetricData failed: AccessDenied' });
    expect(analyze({ series: null }).metrics.status).toBe('not-asked');
  });

  it('names the fastest grower first, from the host measured growth', () => {
    const sample = pressureSample();
    const fastest = [...sample.growth].sort((a, b) => b.kbPerHour - a.kbPerHour)[0];
    expect(analyze().grower).toEqual({
      kind: 'growing',
      pid: fastest?.pid,
      comm: fastest?.comm,
      rssKb: fastest?.rssKb,
      kbPerHour: fastest?.kbPerHour,
      sinceSeconds: fastest?.sinceSeconds,
    });
  });

  it('without growth measured, names the largest process and says no growth was measured', () => {
    const first = pressureDiagnostics({ pressure: pressureSample({ growth: [], previousSampleAt: null }) });
    const largest = [...(first.pressure?.smaps ?? [])].sort((a, b) => b.rssKb - a.rssKb)[0];
    expect(analyze({ diagnostics: first }).grower).toEqual({
      kind: 'largest',
      pid: largest?.pid,
      comm: largest?.comm,
      rssKb: largest?.rssKb,
    });
    // Shrinking processes are no growers either.
    const shrinking = pressureDiagnostics({
      pressure: pressureSample({
        growth: [
          { pid: 4242, comm: 'java', rssKb: 100, previousRssKb: 200, sinceSeconds: 30, kbPerHour: -12_000 },
        ],
      }),
    });
    expect(analyze({ diagnostics: shrinking }).grower?.kind).toBe('largest');
  });

  it('confirms the alarm with the host own MemAvailable, and says when the host reads plenty', () => {
    const diagnostics = pressureDiagnostics();
    const percent =
      Math.round(((diagnostics.memory.availableKb ?? 0) / (diagnostics.memory.totalKb ?? 1)) * 1000) / 10;
    const confirmed = analyze();
    expect(confirmed.host.availablePercent).toBe(percent);
    expect(confirmed.host.confirmation.status).toBe('confirmed');
    // 40 % available at diagnosis: well above the alarm's 10 % plus the margin.
    const plenty = pressureDiagnostics({ memory: { ...diagnostics.memory, availableKb: 3_200_000 } });
    const notConfirmed = analyze({ diagnostics: plenty });
    expect(notConfirmed.host.confirmation).toEqual({
      status: 'not-confirmed',
      detail: "the host read 40 % available, above the alarm's 10 %",
    });
    // At the margin's edge it still confirms.
    const edge = ((10 + CONFIRM_MARGIN_POINTS) / 100) * (diagnostics.memory.totalKb ?? 0);
    const atEdge = pressureDiagnostics({ memory: { ...diagnostics.memory, availableKb: edge } });
    expect(analyze({ diagnostics: atEdge }).host.confirmation.status).toBe('confirmed');
    expect(analyze({ diagnostics: null }).host.confirmation.status).toBe('unknown');
  });

  it('carries the PSI figures and the largest rollups', () => {
    const analysis = analyze();
    expect(analysis.stall).toEqual(pressureSample().stall);
    expect(analysis.top.map((t) => t.pid)).toEqual(pressureSample().smaps.map((s) => s.pid));
  });
});

describe('the preventive add-swap plan', () => {
  const reasons = (analysis: ReturnType<typeof analyze>) => analysis.plan.skipped.map((s) => s.reason);

  it('plans a swap file when the policy opts in and the host confirms the pressure', () => {
    const analysis = analyze();
    expect(analysis.plan.skipped).toEqual([]);
    expect(analysis.plan.steps).toEqual([
      expect.objectContaining({
        action: 'add-swap',
        dryRun: false,
        parameters: expect.objectContaining({ sizeMiB: '2048', dryRun: 'false' }),
      }),
    ]);
    expect(analysis.plan.steps[0]?.reason).toMatch(
      /^preventive: add a 2.0 GiB swap file at \/swapfile.oom-responder/,
    );
  });

  it('plans a dry run when the policy says so', () => {
    const analysis = analyze({
      policy: policy({ addSwap: { enabled: true, preventive: true, dryRun: true } }),
    });
    expect(analysis.plan.steps).toEqual([
      expect.objectContaining({ dryRun: true, parameters: expect.objectContaining({ dryRun: 'true' }) }),
    ]);
    expect(analysis.plan.steps[0]?.reason).toMatch(/^preventive: dry run: would add/);
  });

  it.each([
    ['the default policy', policy({}), 'policy: add-swap is off'],
    [
      'add-swap after kills only',
      policy({ addSwap: { enabled: true } }),
      'policy: add-swap is not preventive (addSwap.preventive is off)',
    ],
  ])('plans nothing under %s', (_, given, reason) => {
    const analysis = analyze({ policy: given });
    expect(analysis.plan.steps).toEqual([]);
    expect(reasons(analysis)).toEqual([reason]);
  });

  it('plans nothing when the host does not confirm the pressure', () => {
    const diagnostics = pressureDiagnostics();
    const plenty = pressureDiagnostics({ memory: { ...diagnostics.memory, availableKb: 3_200_000 } });
    expect(reasons(analyze({ diagnostics: plenty }))).toEqual([
      "not sent: the host did not confirm the pressure (the host read 40 % available, above the alarm's 10 %)",
    ]);
    expect(reasons(analyze({ diagnostics: null }))).toEqual([
      'no diagnostics: whether swap is active and the disk has room is unknown',
    ]);
  });

  it('plans nothing on a Kubernetes node', () => {
    expect(reasons(analyze({ diagnostics: pressureDiagnostics({ kubernetes: true }) }))).toEqual([
      "a Kubernetes node: the kubelet expects no swap; fix the pods' memory limits instead",
    ]);
  });

  it('plans nothing when swap is already active', () => {
    const swapped = pressureDiagnostics({
      swaps: [{ path: '/dev/nvme1n1', type: 'partition', sizeKb: 4_194_300, usedKb: 0, priority: -2 }],
    });
    expect(reasons(analyze({ diagnostics: swapped }))).toEqual([
      'swap is already active (4.0 GiB on /dev/nvme1n1)',
    ]);
  });

  it("plans nothing when the file would take more than the policy's share of the free disk", () => {
    const small = pressureDiagnostics({
      disk: { path: '/', fsType: 'xfs', totalKb: 8_000_000, availableKb: 4_000_000 },
    });
    // 2 GiB of 3.8 GiB free is 52 %, over the default 25 %.
    expect(reasons(analyze({ diagnostics: small }))).toEqual([
      'a 2.0 GiB swap file would take 52% of the 3.8 GiB free on / (policy allows 25%)',
    ]);
    const unknown = pressureDiagnostics({ disk: null });
    expect(reasons(analyze({ diagnostics: unknown }))).toEqual(['free disk space is unknown']);
  });

  it('counts an add-swap of the last hour against the same per-instance limit as after a kill', () => {
    const recent: RecentAction[] = [
      { action: 'add-swap', instanceId: PRESSURE_INSTANCE, at: '2026-11-25T02:40:00.000Z' },
    ];
    expect(reasons(analyze({ recentActions: recent }))).toEqual([
      `limit reached: 1 add-swap on ${PRESSURE_INSTANCE} in the last hour (policy allows 1 per instance per hour)`,
    ]);
  });
});

describe('the preventive option of the policy', () => {
  it('is off by default and needs add-swap enabled', () => {
    expect(parsePolicy({}).addSwap.preventive).toBe(false);
    expect(() => parsePolicy({ addSwap: { preventive: true } })).toThrow(
      'addSwap.preventive: preventive add-swap needs addSwap.enabled: true (set both, or drop preventive)',
    );
  });
});
