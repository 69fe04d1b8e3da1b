/**
 * Services restart-service never restarts, whatever the policy says: what runs this very command, what keeps the
 * host reachable, logged in, on time and alive, what carries the kernel log to CloudWatch (the pipeline's own
 * input), and the container runtimes and kubelet (restarting one restarts or orphans every container on the
 * host). The names are the units' as Amazon Linux 2 and 2023, Ubuntu, Debian and RHEL ship them; where distros
 * differ both spellings are listed (sshd/ssh, chronyd/chrony, network/networking).
 *
 * A `*` stands for any run of characters, as in the script's `[[ == ]]` match. restart-service.sh keeps the same
 * list (a test compares the two), so the plan refuses with a reason and the script refuses again on the host.
 */
export const PROTECTED_UNITS: readonly string[] = [
  // The SSM agent running this command (the snap on Ubuntu), and systemd's own services.
  'amazon-ssm-agent.service',
  'snap.amazon-ssm-agent.*.service',
  'systemd-*.service',
  'dbus.service',
  'dbus-broker.service',
  'polkit.service',
  // User managers and logins: a user's own services are never restarted through the system manager.
  'user@*.service',
  'user-runtime-dir@*.service',
  'getty@*.service',
  'serial-getty@*.service',
  'ssh.service',
  'sshd.service',
  'ssh@*.service',
  'sshd@*.service',
  // Networking: NetworkManager (RHEL), network (AL2 initscripts), networking (Debian ifupdown), wicked (SUSE);
  // systemd-networkd and systemd-resolved (AL2023, Ubuntu) are systemd-*.
  'NetworkManager.service',
  'NetworkManager-*.service',
  'network.service',
  'networking.service',
  'wicked.service',
  'wickedd.service',
  'dhcpcd.service',
  // Time: chronyd (AL2, AL2023, RHEL), chrony (Debian, Ubuntu), ntpd/ntp; systemd-timesyncd is systemd-*.
  'chronyd.service',
  'chrony.service',
  'ntpd.service',
  'ntp.service',
  // Logs: the syslog daemons and the agents that ship the kernel log to CloudWatch (the pipeline's input);
  // systemd-journald is systemd-*.
  'rsyslog.service',
  'syslog-ng.service',
  'syslog.service',
  'amazon-cloudwatch-agent.service',
  'awslogsd.service',
  'awslogs.service',
  'auditd.service',
  // Container runtimes and orchestration agents: they restart their own workloads.
  'docker.service',
  'containerd.service',
  'crio.service',
  'podman.service',
  'kubelet.service',
  'ecs.service',
];

/** The protected pattern a unit matches, or null when it may be restarted (if the policy allows it). */
export function protectedPatternOf(unit: string): string | null {
  return PROTECTED_UNITS.find((pattern) => globMatches(pattern, unit)) ?? null;
}

/** Whether a unit name matches a pattern with at most one `*`. */
export function globMatches(pattern: string, unit: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return unit === pattern;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return unit.length >= prefix.length + suffix.length && unit.startsWith(prefix) && unit.endsWith(suffix);
}

/**
 * Whether some unit name matches both patterns (each with at most one `*`). Two starred patterns share a name
 * exactly when one prefix starts the other and one suffix ends the other: the longer prefix followed by the
 * longer suffix then matches both.
 */
export function globsOverlap(a: string, b: string): boolean {
  if (!a.includes('*')) return globMatches(b, a);
  if (!b.includes('*')) return globMatches(a, b);
  const [prefixA = '', suffixA = ''] = a.split('*');
  const [prefixB = '', suffixB = ''] = b.split('*');
  const prefixes = prefixA.startsWith(prefixB) || prefixB.startsWith(prefixA);
  const suffixes = suffixA.endsWith(suffixB) || suffixB.endsWith(suffixA);
  return prefixes && suffixes;
}
