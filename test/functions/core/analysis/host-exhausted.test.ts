import { describe, expect, it } from 'vitest';
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
    expect(finding?.recommendation).toMatch(/^Find what grew.* No single process held much: the largest, /);
    expect(finding?.recommendation).not.toContain('MemoryMax=');
    // The diagnostics counted processes and read Shmem/Slab: their answer, not the commands that ask it.
    const counts = summaryAtDiagnosis.processCounts
      .slice(0, 3)
      .map((c) => `${c.name} x${c.count}`)
      .join(', ');
    expect(finding?.recommendation).toContain(`at diagnosis 17:31:42 the most numerous were ${counts}`);
    expect(finding?.recommendation).not.toMatch(/uniq -c|\/proc\/meminfo|ps aux/);
  });
});
