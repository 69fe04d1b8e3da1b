import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, findingOf, incidentFrom } from './incidents';

describe('the host-exhausted advice', () => {
  it('suggests no MemoryMax cap for a largest process that held a sliver of RAM', () => {
    // Real: a.out (pid 7267) killed with anon-rss:84kB; the task table's largest rows are as small.
    const analysis = analyzeIncident(
      incidentFrom('legacy/linux-4.9-rc8-oom-reaper-interleaved-kills-dmesg.log'),
      diagnostics(),
    );
    const finding = findingOf(analysis, 'host-exhausted');
    expect(adviceText(finding?.recommendation)).toMatch(
      /^Find what grew .* No single process held much: the largest, /,
    );
    expect(adviceText(finding?.recommendation)).not.toContain('MemoryMax=');
  });
});
