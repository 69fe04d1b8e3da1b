import { createHash } from 'node:crypto';
import type { Kill, TaskRow } from '../kernel-log';
import { clipText } from './bounded-text';
import { digestKill } from './kill-digest';
import type { Incident, IncidentSource, InstanceRef, PriorKill, ReportGap, Severity } from './model';

/** Processes whose death takes the instance out of reach or out of management. */
export const CRITICAL_PROCESSES: readonly string[] = [
  'sshd',
  'amazon-ssm-agen', // amazon-ssm-agent, as the kernel's 15-byte comm prints it
  'ssm-agent-worke',
  'ssm-session-wor',
  'amazon-cloudwat',
  'systemd',
  'systemd-journal',
  'dbus-daemon',
  'kubelet',
  'containerd',
  'dockerd',
];

/**
 * The units of those processes, each with the comm it runs, as systemd-oomd names its kills (a unit, never a
 * process): killing one of them is the same loss whoever did it. Distributions name some differently.
 */
export const CRITICAL_UNITS: Readonly<Record<string, string>> = {
  'sshd.service': 'sshd',
  'ssh.service': 'sshd', // Debian, Ubuntu
  'amazon-ssm-agent.service': 'amazon-ssm-agen',
  'snap.amazon-ssm-agent.amazon-ssm-agent.service': 'amazon-ssm-agen', // Ubuntu
  'amazon-cloudwatch-agent.service': 'amazon-cloudwat',
  'systemd-journald.service': 'systemd-journal',
  'dbus.service': 'dbus-daemon',
  'dbus-broker.service': 'dbus-daemon',
  'kubelet.service': 'kubelet',
  'containerd.service': 'containerd',
  'docker.service': 'dockerd',
};

/** Largest rows of the task table kept on the incident: enough for "what else was big", bounded for storage. */
export const MAX_TASKS_KEPT = 20;

export interface NewIncidentInput {
  kill: Kill;
  hostKey: string;
  instance: InstanceRef;
  source: IncidentSource;
  /** When the detector saw the kill (ISO); the incident opens at the kill's own time when it has one. */
  now: string;
  /** When CloudWatch Logs received the kill (ISO, UTC). @default now */
  observedAt?: string;
  history?: PriorKill[];
  /** Set when the kill's full report was not read from its stream: the message says so. */
  reportGap?: ReportGap;
  /** Set when the kill is a drill's synthetic report. */
  drill?: { id: string } | null;
}

/**
 * A stable incident id from the host and the first kill: the same kill always maps to the same id, so a retried
 * batch finds the incident it already opened, and the Step Functions execution name derived from it repeats too.
 * Shape: `oom-<YYYYMMDDTHHMMSS>-<16 hex>`, valid as an execution name (no spaces or `:`, at most 80 characters).
 */
export function incidentId(hostKey: string, kill: Kill, openedAt: string): string {
  const stamp = openedAt.replace(/[-:]/g, '').slice(0, 15);
  const hash = createHash('sha256')
    .update(`${hostKey}\n${digestKill(kill, hostKey).key}`)
    .digest('hex')
    .slice(0, 16);
  return `oom-${/^\d{8}T\d{6}$/.test(stamp) ? stamp : 'unknown'}-${hash}`;
}

export function severityOf(kill: Kill): Severity {
  if (!kill.cgroup) return 'critical';
  if (
    kill.kind === 'systemd-oomd' &&
    kill.systemdUnit !== null &&
    Object.hasOwn(CRITICAL_UNITS, kill.systemdUnit)
  )
    return 'critical';
  if (kill.process !== null && CRITICAL_PROCESSES.includes(kill.process)) return 'critical';
  return 'warning';
}

export function newIncident(input: NewIncidentInput): Incident {
  const { kill, hostKey } = input;
  const openedAt = absoluteTime(kill.time) ?? input.now;
  return {
    id: incidentId(hostKey, kill, openedAt),
    status: 'open',
    severity: severityOf(kill),
    instance: input.instance,
    firstKill: boundedKill(kill),
    kills: [digestKill(kill, hostKey)],
    killCount: 1,
    openedAt,
    observedAt: input.observedAt ?? input.now,
    updatedAt: input.now,
    history: input.history ?? [],
    source: input.source,
    ...(input.reportGap ? { reportGap: input.reportGap } : {}),
    ...(input.drill ? { drill: { id: input.drill.id } } : {}),
    storm: null,
  };
}

function largestTasks(tasks: TaskRow[]): TaskRow[] {
  // The parser sorts the table by RSS, largest first.
  const kept = tasks.length <= MAX_TASKS_KEPT ? tasks : tasks.slice(0, MAX_TASKS_KEPT);
  return kept.map((task) => (task.name.length > 64 ? { ...task, name: clipText(task.name, 64) } : task));
}

/**
 * The first kill as the incident keeps it: every text field clipped and the task table cut to its largest rows,
 * so that the incident item stays far inside DynamoDB's 400 KB whatever a line carried (`bounded-text.ts`).
 */
export function boundedKill(kill: Kill): Kill {
  return {
    ...kill,
    process: clipText(kill.process),
    constraint: clipText(kill.constraint),
    oomMemcg: clipText(kill.oomMemcg),
    taskMemcg: clipText(kill.taskMemcg),
    triggeredBy: clipText(kill.triggeredBy),
    gfpMask: clipText(kill.gfpMask),
    hostname: clipText(kill.hostname),
    time: clipText(kill.time),
    systemdUnit: clipText(kill.systemdUnit),
    kernelVersion: clipText(kill.kernelVersion),
    oomGroupMemcg: clipText(kill.oomGroupMemcg),
    memcgStats: kill.memcgStats && { ...kill.memcgStats, memcg: clipText(kill.memcgStats.memcg) },
    reason: clipText(kill.reason),
    logGroup: clipText(kill.logGroup),
    logStream: clipText(kill.logStream),
    eventId: clipText(kill.eventId),
    container: kill.container && {
      runtime: clipText(kill.container.runtime),
      id: clipText(kill.container.id),
      podUid: clipText(kill.container.podUid),
    },
    tasks: largestTasks(kill.tasks),
  };
}

/** A kill's time when it names a date (syslog without a year still does, inferred); dmesg -H minutes count too. */
function absoluteTime(time: string | null): string | null {
  if (!time) return null;
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(time) ? time : null;
}
