import { describe, expect, it } from 'vitest';
import { matchesSubscriptionFilter } from '../../../../functions/core/detect/filter-terms';
import { DRILL_PROCESS, drillIdOf, drillReportLines } from '../../../../functions/core/drill/drill-report';
import { parseKernelLog } from '../../../../functions/core/kernel-log';

const ID = 'drill-20261204t2015-7f3a';

describe('the drill report', () => {
  it('parses as one cgroup kill of oom-drill, with the figures it prints, and carries its drill id', () => {
    const lines = drillReportLines({ drillId: ID, pid: 4242 });
    const [kill, ...more] = parseKernelLog(lines.join('\n'));
    expect(more).toEqual([]);
    expect(kill).toMatchObject({
      kind: 'kernel',
      pid: 4242,
      process: DRILL_PROCESS,
      cgroup: true,
      oomMemcg: `/oom-responder-drill/${ID}`,
      memoryUsageKb: 65_536,
      memoryLimitKb: 65_536,
      anonRssKb: 64_512,
      triggeredBy: DRILL_PROCESS,
    });
    expect(kill && drillIdOf(kill)).toBe(ID);
  });

  it('reaches the detector: its victim and summary lines pass the subscription filter', () => {
    const passed = drillReportLines({ drillId: ID }).filter(matchesSubscriptionFilter);
    expect(passed.some((line) => line.includes('Killed process'))).toBe(true);
    expect(passed.some((line) => line.includes('oom-kill:'))).toBe(true);
  });

  it('refuses a drill id that could not sit in a cgroup path', () => {
    expect(() => drillReportLines({ drillId: 'Has Spaces' })).toThrow(/drill id 'Has Spaces' must be/);
    expect(() => drillReportLines({ drillId: 'short' })).toThrow(/8 to 40/);
  });

  it('is not a drill without both the name and the drill cgroup', () => {
    expect(
      drillIdOf({ process: DRILL_PROCESS, taskMemcg: '/system.slice/x.service', oomMemcg: null }),
    ).toBeNull();
    expect(
      drillIdOf({ process: 'java', taskMemcg: `/oom-responder-drill/${ID}`, oomMemcg: null }),
    ).toBeNull();
    expect(
      drillIdOf({ process: DRILL_PROCESS, taskMemcg: '/oom-responder-drill/../etc', oomMemcg: null }),
    ).toBeNull();
  });
});
