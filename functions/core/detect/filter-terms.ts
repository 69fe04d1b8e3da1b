/**
 * The phrases of the CloudWatch Logs subscription filter (OR'ed, case-sensitive): every kernel line that names a
 * kill or starts a report, and systemd-oomd's kills. The construct builds the filter from this list, and the
 * tests and benchmarks feed the detector only lines that match it, as CloudWatch Logs would.
 */
export const SUBSCRIPTION_FILTER_TERMS: readonly string[] = [
  'Killed process',
  'invoked oom-killer',
  'oom-kill:',
  'Out of memory',
  'Memory cgroup out of memory',
  'systemd-oomd',
  // `Tasks in <cgroup> are going to be killed due to memory.oom.group set`: without it, a report the detector
  // could not read back whole (`reportGap`) would show a cgroup killed whole as unrelated kills.
  'memory.oom.group',
];

/** Whether CloudWatch Logs would pass this line to the detector. */
export function matchesSubscriptionFilter(line: string): boolean {
  return SUBSCRIPTION_FILTER_TERMS.some((term) => line.includes(term));
}
