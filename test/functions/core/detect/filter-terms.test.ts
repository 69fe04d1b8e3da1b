import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchesSubscriptionFilter } from '../../../../functions/core/detect/filter-terms';
import { parseKernelLog } from '../../../../functions/core/kernel-log';
import { CORPUS_REFERENCE_DATE, corpusSamples } from '../../../support/corpus';
import { loggedGroupKills } from '../../../support/kernel-lines';

// Every real report of the corpus with a `Tasks in <cgroup> are going to be killed due to memory.oom.group set` line.
const GROUP_KILL_SAMPLES = corpusSamples().filter((sample) =>
  readFileSync(sample.logPath, 'utf8').includes('memory.oom.group'),
);

describe('the subscription filter', () => {
  it('has real oom.group reports to be checked on', () => {
    expect(GROUP_KILL_SAMPLES.length).toBeGreaterThanOrEqual(2);
  });

  for (const sample of GROUP_KILL_SAMPLES) {
    it(`passes the memory.oom.group line, so a report read from the subscription alone knows the cgroup was killed whole (${sample.name})`, () => {
      const lines = readFileSync(sample.logPath, 'utf8').split('\n');
      const groups = loggedGroupKills(lines);
      expect(groups.length).toBeGreaterThan(0);
      for (const group of groups) expect(matchesSubscriptionFilter(lines[group.line] ?? '')).toBe(true);
      // What the detector sees when it cannot read the stream back: the lines CloudWatch Logs delivered.
      const delivered = lines.filter(matchesSubscriptionFilter).join('\n');
      const kills = parseKernelLog(delivered, { referenceDate: CORPUS_REFERENCE_DATE });
      for (const group of groups) {
        const pids = group.victims.map((victim) => victim.pid);
        const members = kills.filter((kill) => pids.includes(kill.pid));
        expect(members.length).toBeGreaterThanOrEqual(pids.length);
        for (const kill of members) expect(kill.oomGroupMemcg).toBe(group.memcg);
      }
    });
  }
});
