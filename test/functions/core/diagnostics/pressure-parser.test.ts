import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SUMMARY_END, SUMMARY_START } from '../../../../functions/core/diagnostics/summary-lines';
import { parseDiagnosticsSummary } from '../../../../functions/core/diagnostics/summary-parser';

/**
 * The pressure keys as collect-diagnostics writes them (lib/ssm/scripts/collect-diagnostics.sh), read through the
 * whole summary parser. The figures below are stated lines; a real run is read in
 * test/lib/ssm/collect-diagnostics-pressure.test.ts.
 */
const summaryOf = (...lines: string[]) => `${SUMMARY_START}\n${lines.join('\n')}\n${SUMMARY_END}\n`;
const pressureOf = (...lines: string[]) => parseDiagnosticsSummary(summaryOf(...lines)).pressure;

const OLD_CAPTURE = readFileSync(
  fileURLToPath(
    new URL('../../../fixtures/diagnostics/collect-diagnostics-debian12-cgroup-v1.stdout', import.meta.url),
  ),
  'utf8',
);

const PSI = [
  'pressure.some.avg10=12.34',
  'pressure.some.avg60=5.00',
  'pressure.some.avg300=0.71',
  'pressure.some.totalUs=475987',
  'pressure.full.avg10=3.10',
  'pressure.full.avg60=1.00',
  'pressure.full.avg300=0.20',
  'pressure.full.totalUs=80763',
];

/** One growth entry: 3.00 s apart, 36 MiB more; (36864 KiB * 3600 / 3) = 44236800 KiB/h. */
const GROWER = [
  'pressure.growth.1.pid=4242',
  'pressure.growth.1.comm=java',
  'pressure.growth.1.rssKb=299008',
  'pressure.growth.1.previousRssKb=262144',
  'pressure.growth.1.sinceSeconds=3.00',
  'pressure.growth.1.kbPerHour=44236800',
];

describe('the pressure sample in the diagnostics summary', () => {
  it('reads PSI, rollups largest first and growth fastest first, as the script writes them', () => {
    const pressure = pressureOf(
      'event.mode=pressure',
      ...PSI,
      'pressure.previousSampleAt=2026-12-04T21:56:24Z',
      'pressure.growth.1.pid=77',
      'pressure.growth.1.comm=sshd',
      'pressure.growth.1.rssKb=8000',
      'pressure.growth.1.previousRssKb=8100',
      'pressure.growth.1.sinceSeconds=2.50',
      'pressure.growth.1.kbPerHour=-144000',
      ...GROWER.map((line) => line.replace('growth.1.', 'growth.2.')),
      'pressure.smaps.1.pid=77',
      'pressure.smaps.1.comm=sshd',
      'pressure.smaps.1.rssKb=8000',
      'pressure.smaps.1.pssKb=',
      'pressure.smaps.1.anonymousKb=',
      'pressure.smaps.1.swapKb=',
      'pressure.smaps.2.pid=4242',
      'pressure.smaps.2.comm=java',
      'pressure.smaps.2.rssKb=300000',
      'pressure.smaps.2.pssKb=290000',
      'pressure.smaps.2.anonymousKb=280000',
      'pressure.smaps.2.swapKb=0',
    );
    expect(pressure).toEqual({
      stall: {
        some: { avg10: 12.34, avg60: 5, avg300: 0.71, totalUs: 475987 },
        full: { avg10: 3.1, avg60: 1, avg300: 0.2, totalUs: 80763 },
      },
      smaps: [
        { pid: 4242, comm: 'java', rssKb: 300000, pssKb: 290000, anonymousKb: 280000, swapKb: 0 },
        // A kernel before Pss/Anonymous/Swap lines in smaps_rollup: not known, not zero.
        { pid: 77, comm: 'sshd', rssKb: 8000, pssKb: null, anonymousKb: null, swapKb: null },
      ],
      growth: [
        {
          pid: 4242,
          comm: 'java',
          rssKb: 299008,
          previousRssKb: 262144,
          sinceSeconds: 3,
          kbPerHour: 44236800,
        },
        { pid: 77, comm: 'sshd', rssKb: 8000, previousRssKb: 8100, sinceSeconds: 2.5, kbPerHour: -144000 },
      ],
      previousSampleAt: '2026-12-04T21:56:24Z',
    });
  });

  it('reads a kernel that prints only the "some" line, and a kill-mode run (PSI alone)', () => {
    expect(pressureOf('event.mode=kill', ...PSI.slice(0, 4))).toEqual({
      stall: { some: { avg10: 12.34, avg60: 5, avg300: 0.71, totalUs: 475987 }, full: null },
      smaps: [],
      growth: [],
      previousSampleAt: null,
    });
  });

  it('is null when the run collected none: kill mode on a kernel without PSI', () => {
    expect(pressureOf('event.mode=kill', 'event.sampleSeconds=10', 'probe.psi=missing')).toBeNull();
  });

  it('is left out for a script too old to collect it', () => {
    expect('pressure' in parseDiagnosticsSummary(OLD_CAPTURE)).toBe(false);
    expect('pressure' in parseDiagnosticsSummary(summaryOf('hostname=web-3', 'probe.ps=ok'))).toBe(false);
  });

  it('with sampleSeconds 0 has rollups but no growth and no previous sample', () => {
    const pressure = pressureOf(
      'event.mode=pressure',
      'event.sampleSeconds=0',
      'pressure.smaps.1.pid=4242',
      'pressure.smaps.1.comm=java',
      'pressure.smaps.1.rssKb=300000',
    );
    expect(pressure?.growth).toEqual([]);
    expect(pressure?.previousSampleAt).toBeNull();
    expect(pressure?.smaps.map((s) => s.pid)).toEqual([4242]);
  });

  it('drops a stall line with a malformed figure rather than read it as zero', () => {
    for (const [key, value] of [
      ['avg10', ''],
      ['avg10', '1e2'],
      ['avg10', '12.3'],
      ['avg60', '100.01'],
      ['avg300', '-0.50'],
      ['totalUs', '12.5'],
      ['totalUs', 'x'],
    ]) {
      const lines = PSI.map((line) =>
        line.startsWith(`pressure.some.${key}=`) ? `pressure.some.${key}=${value}` : line,
      );
      // Without its "some" line there is no stall; the full line alone is not read as one.
      expect(pressureOf('event.mode=kill', ...lines), `${key}=${value}`).toBeNull();
      const full = PSI.map((line) =>
        line.startsWith(`pressure.full.${key}=`) ? `pressure.full.${key}=${value}` : line,
      );
      expect(pressureOf('event.mode=kill', ...full)?.stall?.full, `full ${key}=${value}`).toBeNull();
    }
  });

  it('drops a growth entry with a missing or malformed figure, or a rate its own samples do not give', () => {
    const broken: [string, string][] = [
      ['pid', ''],
      ['pid', '0'],
      ['comm', ''],
      ['rssKb', '-5'],
      ['previousRssKb', '1.5'],
      ['sinceSeconds', '0.00'],
      ['sinceSeconds', '3'],
      ['sinceSeconds', ''],
      ['kbPerHour', '4.4e7'],
      ['kbPerHour', ''],
      // 36 MiB in 3 s is 44236800 KiB/h: a rate of twice that is not what the host measured.
      ['kbPerHour', '88473600'],
    ];
    for (const [field, value] of broken) {
      const lines = GROWER.map((line) =>
        line.startsWith(`pressure.growth.1.${field}=`) ? `pressure.growth.1.${field}=${value}` : line,
      );
      const pressure = pressureOf(
        'event.mode=pressure',
        'pressure.previousSampleAt=2026-12-04T21:56:24Z',
        ...lines,
      );
      expect(pressure?.growth, `${field}=${value}`).toEqual([]);
    }
    expect(pressureOf('event.mode=pressure', ...GROWER)?.growth).toHaveLength(1);
  });

  it('drops a rollup without its pid, name or RSS, and a previous-sample time that is not the script’s', () => {
    for (const [field, value] of [
      ['pid', 'x'],
      ['comm', ''],
      ['rssKb', ''],
      ['rssKb', '12 kB'],
    ]) {
      const lines = ['pid=4242', 'comm=java', 'rssKb=300000'].map((kv) =>
        kv.startsWith(`${field}=`) ? `pressure.smaps.1.${field}=${value}` : `pressure.smaps.1.${kv}`,
      );
      expect(pressureOf('event.mode=pressure', ...PSI, ...lines)?.smaps, `${field}=${value}`).toEqual([]);
    }
    for (const time of ['2026-12-04 21:56:24Z', '2026-13-04T21:56:24Z', 'yesterday', '']) {
      expect(
        pressureOf('event.mode=pressure', ...PSI, `pressure.previousSampleAt=${time}`)?.previousSampleAt,
      ).toBeNull();
    }
  });
});

describe('the pressure sample of a real pressure-mode capture', () => {
  // test/fixtures/diagnostics/SOURCES.md: oomr-grower grew by the clock at 16 MiB/s; the script sampled 10 s apart.
  const capture = readFileSync(
    fileURLToPath(
      new URL('../../../fixtures/diagnostics/collect-diagnostics-debian12-pressure.stdout', import.meta.url),
    ),
    'utf8',
  );
  const pressure = parseDiagnosticsSummary(capture).pressure;

  it('names the grower first, at the rate it allocated at, and its rollup first', () => {
    const top = pressure?.growth[0];
    expect(top).toMatchObject({ pid: 15670, comm: 'oomr-grower', sinceSeconds: 10 });
    expect(top?.kbPerHour).toBeGreaterThan(16 * 1024 * 3600 * 0.95);
    expect(top?.kbPerHour).toBeLessThan(16 * 1024 * 3600 * 1.05);
    expect(pressure?.growth).toHaveLength(5);
    expect(pressure?.smaps[0]).toMatchObject({ pid: 15670, comm: 'oomr-grower', swapKb: 0 });
    expect(pressure?.smaps[0]?.anonymousKb).toBeGreaterThan(256 * 1024);
    expect(pressure?.previousSampleAt).toBe('2026-12-04T22:06:01Z');
    expect(pressure?.stall?.some.totalUs).toBeGreaterThan(0);
  });
});
