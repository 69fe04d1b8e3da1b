import { clockOf, percentValue } from '../../format/percent';
import type { MemoryTimeline } from '../../metrics/memory-timeline';
import { context, type Evidence, inferred, measured } from '../evidence';

/** A fall that took at most this long is a burst: no leak or slow build-up fills a host that fast. */
const BURST_MINUTES = 5;
/** A fall that took at least this long is steady growth: a leak, or load building up. */
const STEADY_MINUTES = 30;
/** Available memory at or above this through the hour, a global OOM notwithstanding: it filled within a minute. */
const AMPLE_PERCENT = 20;
/** A last point this close to the kill (its minute or the one before) leaves no time for anything but a burst. */
const RECENT_MINUTES = 2;

/**
 * What the CloudWatch agent's hour before a host-wide kill says about how the memory ran out: how far and how fast
 * available memory fell (the agent measured it: `measured`), what that speed suggests (`inferred`: a burst, or
 * steady growth), and an agent that went silent before the kill (a host short of memory stalls it). Nothing when
 * the hour holds no point: the message's own section says why.
 */
export function hostHourEvidence(timeline: MemoryTimeline | null): Evidence[] {
  if (timeline === null) return [];
  const evidence: Evidence[] = [];
  const { fall } = timeline;
  if (fall) {
    const points = Math.round(fall.from.value - fall.to.value);
    evidence.push(
      measured(
        `the agent's available memory fell from ${percentValue(fall.from.value)} at ${clockOf(fall.from.at)} to ${percentValue(fall.to.value)} at ${clockOf(fall.to.at)} UTC (${fall.minutes} min)`,
      ),
    );
    if (fall.minutes <= BURST_MINUTES) {
      evidence.push(
        inferred(
          `${points} points in ${fall.minutes} min is a burst (a job starting, a flood of requests, a runaway process), not a slow leak`,
        ),
      );
    } else if (fall.minutes >= STEADY_MINUTES) {
      evidence.push(
        inferred(
          `a fall over ${fall.minutes} min is steady growth (a leak, or load building up), not a sudden burst`,
        ),
      );
    }
  } else if (timeline.lowest.value >= AMPLE_PERCENT) {
    const ample = `the agent's available memory stayed at ${percentValue(timeline.lowest.value)} or more through its last point (${clockOf(timeline.last.at)} UTC)`;
    // Only a point in the kill's last minutes rules out a slower fall after it, in minutes the agent did not report.
    const minutesBefore = (Date.parse(timeline.killAt) - Date.parse(timeline.last.at)) / 60_000;
    evidence.push(
      minutesBefore <= RECENT_MINUTES
        ? inferred(`${ample}: what filled the host did so within the kill's last minutes, a burst`)
        : context(`${ample}, ${Math.round(minutesBefore)} min before the kill`),
    );
  }
  const silent = timeline.gaps.find((gap) => gap.untilKill);
  if (silent) {
    evidence.push(
      inferred(
        `the agent sent nothing for the last ${silent.minutes} min before the kill: a host short of memory stalls it`,
      ),
    );
  }
  return evidence;
}

/**
 * For a kill inside a cgroup: what the host itself had available at the agent's last point before the kill, which
 * tells a tight limit on a roomy host from a limit reached while the host ran short too. Context: the limit is
 * the kernel's to state.
 */
export function cgroupHourEvidence(timeline: MemoryTimeline | null): Evidence[] {
  if (timeline === null) return [];
  const { last } = timeline;
  const at = `${percentValue(last.value)} available at ${clockOf(last.at)} UTC, the agent's last point before the kill`;
  return [
    context(
      last.value >= AMPLE_PERCENT
        ? `the host itself had ${at}: the cgroup's limit ran out, not the host`
        : `the host itself was short too: ${at}`,
    ),
  ];
}
