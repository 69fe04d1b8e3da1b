import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, findingOf, incidentFrom } from './incidents';

describe('the host-exhausted advice', () => {
  it('suggests no MemoryMax cap for a largest process that held a sliver of RAM', () => {
    // Real: a.out (pid 7267) killed with anon-rss:84kB; the task table's largest rows are as small.
    const summaryAtDiagnosis = diagnostics();
    const analysis = analyzeIncident(
      incidentFrom('legacy/linux-4.9-rc8-oom-reaper-interleaved-kills-dmesg.log'),
      summaryAtDiagnosis,
    );
    const finding = findingOf(analysis, 'host-exhausted');
    expect(adviceText(finding?.recommendation)).toMatch(
      /^Find what grew.* No single process held much: the largest, /,
    );
    expect(adviceText(finding?.recommendation)).not.toContain('MemoryMax=');
    // The diagnostics counted processes and read Shmem/Slab: their answer, not the commands that ask it.
    const counts = summaryAtDiagnosis.processCounts
      .slice(0, 3)
      .map((c) => `${c.name} x${c.count}`)
      .join(', ');
    expect(adviceText(finding?.recommendation)).toContain(
      `at diagnosis 17:31:42 the most numerous were ${counts}`,
    );
    expect(adviceText(finding?.recommendation)).not.toMatch(/uniq -c|\/proc\/meminfo|ps aux/);
  });
});

describe('what the host had free after a host-wide kill', () => {
  // Real: stress-ng-vm killed on a host whose report prints `2097022 pages RAM` (8.0 GiB), kernel 6.11.0-10669.
  const fixture = 'modern/global-oom-6.11-stress-ng-complete.log';
  const evidenceOf = (summary: ReturnType<typeof diagnostics>) =>
    (findingOf(analyzeIncident(incidentFrom(fixture), summary), 'host-exhausted')?.evidence ?? []).map(
      (item) => item.text,
    );

  it('leaves out the MemAvailable of diagnostics from another kernel: not "22 GiB of 8.0 GiB"', () => {
    // As a replay without --host-exec has them: the captured sample of a 24 GiB host running another kernel.
    const sample = diagnostics({
      kernelRelease: '6.1.0-28-cloud-amd64',
      memory: { totalKb: 24_600_000, availableKb: 22_700_000 },
    });
    expect(evidenceOf(sample).join('\n')).not.toContain('MemAvailable');
  });

  it("states it against the diagnostics' own MemTotal when they describe this boot", () => {
    const same = diagnostics({
      kernelRelease: '6.11.0-10669-g11a299a7933e-dirty',
      uptimeSeconds: 600,
      memory: { totalKb: 8_000_000, availableKb: 6_000_000 },
    });
    expect(evidenceOf(same)).toContain('after the kill: MemAvailable 5.7 GiB of 7.6 GiB');
  });
});
