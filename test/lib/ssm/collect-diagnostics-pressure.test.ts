import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containedOomSupport } from '../../../cli/local/contained-oom';
import type { DiagnosticsSummary } from '../../../functions/core/diagnostics/model';
import type { PressureSample } from '../../../functions/core/diagnostics/pressure-sample';
import { parseDiagnosticsSummary } from '../../../functions/core/diagnostics/summary-parser';
import { scriptPath } from '../../../lib/ssm/script-source';
import { type Grower, memoryStatus, startGrower } from './support/grower';
import { runInMemoryCgroup } from './support/memory-cgroup';
import { runScript, type ScriptRun } from './support/run-script';

/**
 * collect-diagnostics in pressure mode, run for real on this host while a process of the test's own grows inside
 * a memory cgroup of its own (never host-wide), and a second one, just as large, exits between the two samples.
 * Expected figures come from what the grower was told to allocate and from the kernel's own files read by the test
 * (/proc/<pid>/status, /proc/pressure/memory), never from what the script printed.
 */
const support = containedOomSupport();
const reason = support.supported ? '' : ` (skipped: ${support.reason})`;
const PSI_FILE = '/proc/pressure/memory';
const hasPsi = existsSync(PSI_FILE);

const SAMPLE_SECONDS = 3;
const RATE_MIB_PER_SECOND = 16;
const BASE_MIB = 256;
/** What the grower's allocation rate is in the summary's unit. */
const RATE_KB_PER_HOUR = RATE_MIB_PER_SECOND * 1024 * 3600;

interface StallTotals {
  some: number;
  full: number | null;
}

function stallTotals(): StallTotals {
  const text = readFileSync(PSI_FILE, 'utf8');
  const total = (kind: string) =>
    /total=(\d+)/.exec(text.split('\n').find((l) => l.startsWith(kind)) ?? '')?.[1];
  const full = total('full');
  return { some: Number(total('some')), full: full === undefined ? null : Number(full) };
}

describe.skipIf(!support.supported)(`collect-diagnostics in pressure mode on this host${reason}`, () => {
  let grower: Grower | undefined;
  let brief: Grower | undefined;
  let run: ScriptRun;
  let once: ScriptRun;
  let summary: DiagnosticsSummary;
  let pressure: PressureSample;
  let before: { vmRssKb: number; vmSwapKb: number };
  let after: { vmRssKb: number; vmSwapKb: number };
  let stallBefore: StallTotals | null = null;
  let stallAfter: StallTotals | null = null;
  let startedAt = 0;
  let endedAt = 0;

  beforeAll(async () => {
    try {
      grower = await startGrower({
        comm: 'oomr-grower',
        limitMiB: 768,
        baseMiB: BASE_MIB,
        rateMiBPerSecond: RATE_MIB_PER_SECOND,
        maxMiB: BASE_MIB + RATE_MIB_PER_SECOND * 12,
        lifetimeMs: 40_000,
      });
      // As large as the grower's base, so it is among the largest when the script lists them; gone 2 s later,
      // before the second sample (SAMPLE_SECONDS after the first).
      brief = await startGrower({
        comm: 'oomr-brief',
        limitMiB: 512,
        baseMiB: BASE_MIB,
        rateMiBPerSecond: 0,
        maxMiB: BASE_MIB,
        lifetimeMs: 2000,
      });
      before = memoryStatus(grower.pid);
      if (hasPsi) stallBefore = stallTotals();
      startedAt = Date.now();
      run = await runScript('collect-diagnostics', {
        SSM_mode: 'pressure',
        SSM_sampleSeconds: String(SAMPLE_SECONDS),
      });
      endedAt = Date.now();
      after = memoryStatus(grower.pid);
      if (hasPsi) stallAfter = stallTotals();
      once = await runScript('collect-diagnostics', { SSM_mode: 'pressure', SSM_sampleSeconds: '0' });
      summary = parseDiagnosticsSummary(run.stdout);
      if (!summary.pressure)
        throw new Error(`no pressure sample in the summary: ${run.stdout.slice(0, 2000)}`);
      pressure = summary.pressure;
    } catch (error) {
      await grower?.stop();
      await brief?.stop();
      throw error;
    }
  }, 90_000);

  afterAll(async () => {
    await grower?.stop();
    await brief?.stop();
  });

  it('exits 0, says there is no kill to look for, and records the new probes', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(summary.killConfirmation).toMatchObject({ status: 'unknown', source: null });
    expect(summary.killConfirmation?.detail).toContain('pressure mode');
    const probes = Object.fromEntries(summary.probes.map((p) => [p.name, p.status]));
    expect(probes.growth).toBe('ok');
    expect(probes.psi).toBe(hasPsi ? 'ok' : 'missing');
    // A rollup the kernel refuses (a process of another user namespace here) is an error, never a figure.
    expect(['ok', 'error']).toContain(probes.smaps);
  });

  it('finds the grower with the rate it allocated at, between the kernel’s own VmRSS before and after', () => {
    const rates = pressure.growth.map((g) => g.kbPerHour);
    expect([...rates].sort((a, b) => b - a)).toEqual(rates);
    expect(pressure.growth.length).toBeLessThanOrEqual(5);
    const entry = pressure.growth.find((g) => g.pid === grower?.pid);
    if (!entry) {
      // Other engineers' processes on this shared host may grow faster still: then the five listed must.
      const observed = ((after.vmRssKb - before.vmRssKb) * 3_600_000) / (endedAt - startedAt);
      expect(pressure.growth.filter((g) => g.kbPerHour > observed * 0.8)).toHaveLength(5);
      return;
    }
    expect(entry.comm).toBe('oomr-grower');
    expect(entry.previousRssKb).toBeGreaterThanOrEqual(before.vmRssKb);
    expect(entry.rssKb).toBeLessThanOrEqual(after.vmRssKb);
    expect(entry.rssKb).toBeGreaterThan(entry.previousRssKb);
    // The script waits until sampleSeconds have passed since its first sample; a busy host adds to that.
    expect(entry.sinceSeconds).toBeGreaterThanOrEqual(SAMPLE_SECONDS);
    expect(entry.sinceSeconds).toBeLessThan(SAMPLE_SECONDS + 4);
    expect(entry.kbPerHour).toBeGreaterThan(RATE_KB_PER_HOUR * 0.5);
    expect(entry.kbPerHour).toBeLessThan(RATE_KB_PER_HOUR * 1.5);
  });

  it('reads the grower’s smaps_rollup in line with its VmRSS, or lists five processes larger than it', () => {
    expect(pressure.smaps.length).toBeGreaterThan(0);
    expect(pressure.smaps.length).toBeLessThanOrEqual(5);
    const sizes = pressure.smaps.map((s) => s.rssKb);
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    const rollup = pressure.smaps.find((s) => s.pid === grower?.pid);
    if (!rollup) {
      // Other engineers' processes on this shared host may all be larger: then the five listed must be.
      expect(pressure.smaps.filter((s) => s.rssKb > before.vmRssKb)).toHaveLength(5);
      return;
    }
    expect(rollup.comm).toBe('oomr-grower');
    expect(rollup.rssKb).toBeGreaterThanOrEqual(before.vmRssKb);
    expect(rollup.rssKb).toBeLessThanOrEqual(after.vmRssKb);
    // Its buffers are anonymous memory it alone maps.
    expect(rollup.anonymousKb).toBeGreaterThanOrEqual(BASE_MIB * 1024);
    expect(rollup.pssKb).toBeGreaterThanOrEqual(rollup.anonymousKb ?? Number.NaN);
    expect(rollup.pssKb).toBeLessThanOrEqual(rollup.rssKb);
    expect(rollup.swapKb).toBe(after.vmSwapKb);
  });

  it('leaves out a process that exited between the two samples', async () => {
    await brief?.exited;
    const pid = brief?.pid;
    expect(summary.topProcesses.map((p) => p.pid)).toContain(pid);
    expect(pressure.growth.map((g) => g.pid)).not.toContain(pid);
    expect(pressure.smaps.map((s) => s.pid)).not.toContain(pid);
  });

  it('dates the first sample within the run', () => {
    const at = Date.parse(pressure.previousSampleAt ?? '');
    // Whole seconds: the run's own start, rounded down.
    expect(at).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000);
    expect(at).toBeLessThanOrEqual(endedAt);
  });

  it.skipIf(!hasPsi)(
    `reads /proc/pressure/memory as the kernel counts it${hasPsi ? '' : ' (skipped: no PSI on this kernel)'}`,
    () => {
      const stall = pressure.stall;
      expect(stall).not.toBeNull();
      if (!stall || !stallBefore || !stallAfter) return;
      expect(stall.some.totalUs).toBeGreaterThanOrEqual(stallBefore.some);
      expect(stall.some.totalUs).toBeLessThanOrEqual(stallAfter.some);
      for (const share of [stall.some.avg10, stall.some.avg60, stall.some.avg300]) {
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(100);
      }
      if (stallBefore.full === null || stallAfter.full === null) expect(stall.full).toBeNull();
      else {
        expect(stall.full?.totalUs).toBeGreaterThanOrEqual(stallBefore.full);
        expect(stall.full?.totalUs).toBeLessThanOrEqual(stallAfter.full);
      }
    },
  );

  it('prints the pressure sections for a person', () => {
    expect(run.stdout).toMatch(/^--- memory pressure \(\/proc\/pressure\/memory\) ---$/m);
    expect(run.stdout).toMatch(/^--- smaps_rollup of the 5 largest processes \(KiB\) ---$/m);
    expect(run.stdout).toMatch(new RegExp(`^--- growth over ${SAMPLE_SECONDS} s .*---$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^ +${grower?.pid} +\\d+ +\\d+ +\\d+  oomr-grower$`, 'm'));
  });

  it('with sampleSeconds 0 takes one sample: rollups, no growth, no previous sample', () => {
    expect(once.code, once.stderr).toBe(0);
    const single = parseDiagnosticsSummary(once.stdout);
    expect(single.pressure?.growth).toEqual([]);
    expect(single.pressure?.previousSampleAt).toBeNull();
    expect(single.pressure?.smaps.length).toBeGreaterThan(0);
    expect(single.probes.map((p) => p.name)).not.toContain('growth');
    expect(once.stdout).toContain('(sampleSeconds is 0: one sample, no growth)');
  });

  it('stays light: inside a 64 MiB memory cgroup, pressure mode ends without an OOM kill', async () => {
    const result = await runInMemoryCgroup(64, ['bash', scriptPath('collect-diagnostics')], {
      ...process.env,
      SSM_mode: 'pressure',
      SSM_sampleSeconds: '1',
    });
    expect(result.code).toBe(0);
    expect(parseDiagnosticsSummary(result.stdout).pressure?.previousSampleAt).not.toBeNull();
    expect(result.oomKills).toBe(0);
    expect(result.peakBytes).toBeLessThan(64 * 1024 * 1024);
  });
});
