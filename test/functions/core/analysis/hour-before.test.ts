import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../../functions/core/analysis/model';
import {
  describeMemoryTimeline,
  type MemoryTimeline,
} from '../../../../functions/core/metrics/memory-timeline';
import { hourWindow } from '../../../support/memory-hour';
import { analyzeIncident, findingOf, INSTANCE, incidentFrom } from './incidents';

/**
 * The agent's hour before a kill as the findings read it: a window of one point a minute, built the way the analyze
 * step builds it from GetMetricData (windowOf, then describeMemoryTimeline). Every figure expected below is read off
 * the series given here, not off what the finding happens to print.
 */
const FROM = Date.parse('2026-11-25T16:30:00Z');
const MINUTE = 60_000;
const KILL_AT = new Date(FROM + 59 * MINUTE + 20_000);
const clock = (n: number) => new Date(FROM + n * MINUTE).toISOString().slice(11, 16);

function hourOf(available: (i: number) => number | null): MemoryTimeline {
  const timeline = describeMemoryTimeline(
    hourWindow({
      instanceId: INSTANCE.instanceId ?? '',
      fromMs: FROM,
      killAt: KILL_AT,
      available: Array.from({ length: 60 }, (_, i) => available(i)),
      swap: Array.from({ length: 60 }, () => 0),
    }),
  );
  if (!timeline) throw new Error('the hour holds no point');
  return timeline;
}

// Real: stress-ng-vm killed by a global OOM (kernel 6.11, 8.0 GiB RAM).
const HOST_WIDE = 'modern/global-oom-6.11-stress-ng-complete.log';
// Real: a php-fpm worker killed at its nested v1 memcg's limit.
const IN_CGROUP = 'modern/host-v1-memcg-nested-php-fpm.log';

const hostFinding = (timeline: MemoryTimeline | null): Finding => {
  const finding = findingOf(
    analyzeIncident(incidentFrom(HOST_WIDE), null, { memoryTimeline: timeline }),
    'host-exhausted',
  );
  if (!finding) throw new Error('no host-exhausted finding');
  return finding;
};
const linesOf = (finding: Finding) => finding.evidence.map((item) => `${item.kind}: ${item.text}`);

describe("the hour before a host-wide kill, in the host's finding", () => {
  const without = hostFinding(null);

  it('reads nothing when the hour was not read: the finding is what the kernel and diagnostics make it', () => {
    expect(linesOf(without).join('\n')).not.toMatch(/agent/);
  });

  it('calls a fall of minutes a burst, measured by the agent, and weighs both', () => {
    // 60 % until minute 55, then 40, 20, 1: from 60 % at 17:25 to 1 % at 17:28, 3 minutes, 59 points.
    const burst = hostFinding(hourOf((i) => (i <= 55 ? 60 : i === 56 ? 40 : i === 57 ? 20 : 1)));
    expect(linesOf(burst)).toEqual(
      expect.arrayContaining([
        `measured: the agent's available memory fell from 60% at ${clock(55)} to 1% at ${clock(58)} UTC (3 min)`,
        'inferred: 59 points in 3 min is a burst (a job starting, a flood of requests, a runaway process), not a slow leak',
      ]),
    );
    expect(linesOf(burst).join('\n')).not.toContain('steady growth');
    // A measurement (0.30) and an inference (0.15) on top of what the kernel stated.
    const doubt = (1 - without.confidence) * 0.7 * 0.85;
    expect(burst.confidence).toBeCloseTo(Math.min(0.95, 1 - doubt), 2);
  });

  it('calls a fall over the whole hour steady growth', () => {
    // 62 % at minute 0, one point less each minute: 3 % at minute 59, 59 minutes of fall.
    const steady = hostFinding(hourOf((i) => 62 - i));
    expect(linesOf(steady)).toEqual(
      expect.arrayContaining([
        `measured: the agent's available memory fell from 62% at ${clock(0)} to 3% at ${clock(59)} UTC (59 min)`,
        'inferred: a fall over 59 min is steady growth (a leak, or load building up), not a sudden burst',
      ]),
    );
    expect(linesOf(steady).join('\n')).not.toContain('burst (');
  });

  it('says neither between a burst and steady growth (12 minutes)', () => {
    const middle = hostFinding(hourOf((i) => (i <= 47 ? 50 : Math.max(2, 50 - (i - 47) * 4))));
    const agentLines = linesOf(middle).filter((line) => line.includes('agent') || line.includes('min is'));
    expect(agentLines).toEqual([
      `measured: the agent's available memory fell from 50% at ${clock(47)} to 2% at ${clock(59)} UTC (12 min)`,
    ]);
  });

  it('reads memory that stayed ample up to the kill as a burst within the last minute', () => {
    const ample = hostFinding(hourOf(() => 41));
    expect(linesOf(ample)).toContain(
      `inferred: the agent's available memory stayed at 41% or more through its last point (${clock(59)} UTC): what filled the host did so within the kill's last minutes, a burst`,
    );
  });

  it('claims no burst from ample memory when the agent fell silent long before the kill', () => {
    // 41 % until minute 47, nothing after: the kill (17:29:20) comes 12 minutes after the last point.
    const lines = linesOf(hostFinding(hourOf((i) => (i <= 47 ? 41 : null))));
    expect(lines).toContain(
      `context: the agent's available memory stayed at 41% or more through its last point (${clock(47)} UTC), 12 min before the kill`,
    );
    expect(lines.join('\n')).not.toContain('a burst');
    expect(lines).toContain(
      'inferred: the agent sent nothing for the last 12 min before the kill: a host short of memory stalls it',
    );
  });

  it('reads an agent that went silent before the kill as a host that stalled', () => {
    // Points until minute 49 (falling from 30 to 8 over the last 11), none for the 10 minutes after.
    const silent = hostFinding(hourOf((i) => (i >= 50 ? null : i < 39 ? 30 : 30 - (i - 38) * 2)));
    expect(linesOf(silent)).toContain(
      'inferred: the agent sent nothing for the last 10 min before the kill: a host short of memory stalls it',
    );
  });
});

describe('the hour before a kill inside a cgroup', () => {
  const cgroupFinding = (timeline: MemoryTimeline | null) =>
    findingOf(analyzeIncident(incidentFrom(IN_CGROUP), null, { memoryTimeline: timeline }), 'cgroup-limit');

  it("tells a tight limit on a roomy host, as context: the limit is the kernel's to state", () => {
    const without = cgroupFinding(null);
    const roomy = cgroupFinding(hourOf((i) => (i < 30 ? 64 : 63)));
    expect(roomy?.evidence).toContainEqual({
      kind: 'context',
      text: `the host itself had 63% available at ${clock(59)} UTC, the agent's last point before the kill: the cgroup's limit ran out, not the host`,
    });
    expect(roomy?.confidence).toBe(without?.confidence);
    expect(JSON.stringify(without?.evidence)).not.toContain('the host itself');
  });

  it('says when the host was short too', () => {
    const short = cgroupFinding(hourOf((i) => 40 - i * 0.6));
    // 40 - 59 * 0.6 = 4.6 at minute 59.
    expect(short?.evidence.map((item) => item.text)).toContain(
      `the host itself was short too: 4.6% available at ${clock(59)} UTC, the agent's last point before the kill`,
    );
  });

  it('adds nothing of the hour to the host-wide finding of a cgroup kill, which it does not make', () => {
    const analysis = analyzeIncident(incidentFrom(IN_CGROUP), null, { memoryTimeline: hourOf(() => 3) });
    expect(findingOf(analysis, 'host-exhausted')).toBeUndefined();
  });
});
