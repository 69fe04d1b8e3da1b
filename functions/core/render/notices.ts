import { advice, prose } from '../analysis/advice';
import { oomdAdvice, oomdRuleOf } from '../analysis/findings/oomd-steps';
import { describeHolder, limitHolderOf } from '../analysis/limit-holder';
import { type MemoryKind, memoryComposition } from '../analysis/memory-composition';
import { KIND_NAMES } from '../analysis/memory-composition-line';
import type { Advice } from '../analysis/model';
import { formatKiB } from '../format/bytes';
import { isUnlimitedKb } from '../format/limits';
import type { ReportGap } from '../incident/model';
import type { DiagnosticsStatus, ResponseOutcome } from '../incident/outcome';
import type { Kill } from '../kernel-log';
import { adviceView } from './advice-view';
import type { LinkView } from './incident-links';
import { type ActionLine, type CauseView, topProcesses } from './response-facts';
import { oneLine } from './text-fit';
import { workloadStep } from './workload-step';

const DIAGNOSTICS_MISSING: Record<Exclude<DiagnosticsStatus, 'collected'>, string> = {
  unmanaged: 'No diagnostics: the instance is not managed by SSM',
  'agent-offline': 'No diagnostics: the SSM agent is offline (the host may still be unresponsive)',
  failed: 'Diagnostics failed',
  'timed-out': 'Diagnostics timed out',
  skipped: 'Diagnostics skipped',
};

/**
 * What on-call must know before trusting the rest: said plainly, first. An unresolved instance means nothing was
 * sent to the host; a failed stage means the message holds only what was known before it.
 */
export function describeNotices(outcome: ResponseOutcome): string[] {
  const { incident, diagnostics, failure } = outcome;
  const notices: string[] = [];
  if (incident.instance.resolvedBy === 'unresolved') {
    const seen = [
      incident.instance.hostname ?? incident.firstKill.hostname,
      incident.instance.privateIp,
      incident.source.logStream,
    ].filter(Boolean);
    notices.push(
      `Instance not resolved${seen.length > 0 ? ` (seen as ${[...new Set(seen)].join(', ')})` : ''}: nothing was sent to the host, no diagnostics, no remediation.`,
    );
  }
  if (incident.reportGap) notices.push(reportGapNotice(incident.reportGap));
  if (failure) {
    notices.push(
      `The response workflow failed at ${failure.stage}: ${failure.error}. Below is what was known before it failed.`,
    );
  }
  const unresolvedSaidIt = incident.instance.resolvedBy === 'unresolved' && diagnostics.status === 'skipped';
  if (diagnostics.status !== 'collected' && !unresolvedSaidIt) {
    notices.push(
      `${DIAGNOSTICS_MISSING[diagnostics.status]}${diagnostics.detail ? `: ${diagnostics.detail}` : ''}.`,
    );
  }
  return notices.map((notice) => oneLine(notice).replace(/\.\.$/, '.'));
}

const REPORT_GAP_WHY: Record<ReportGap['reason'], string> = {
  budget: "the detector's GetLogEvents budget for the batch was spent",
  deadline: "too little time was left before the detector's deadline",
  failed: 'reading the log stream failed',
};

/**
 * The detector recorded the kill from its own lines: on-call should know the task table, memory summary or
 * trigger may be missing before reading them as the whole story.
 */
function reportGapNotice(gap: ReportGap): string {
  const why =
    gap.reason === 'failed' && gap.detail
      ? `${REPORT_GAP_WHY.failed} (${gap.detail})`
      : REPORT_GAP_WHY[gap.reason];
  return `The full kernel report was not fetched from the log stream: ${why}. What follows is from the kill's own log lines; the task table, memory summary or trigger may be missing.`;
}

/** Said when no action touched the host, with why (no action is also a decision worth stating). */
export function nothingDoneLine(outcome: ResponseOutcome, actions: readonly ActionLine[]): string | null {
  if (outcome.incident.instance.resolvedBy === 'unresolved')
    return 'Nothing was sent to the host: the instance is unresolved.';
  const touched = actions.some((line) => line.status !== 'not-planned' && line.status !== 'skipped');
  if (touched) return null;
  if (outcome.failure) return 'Nothing was changed on the host before the workflow failed.';
  return 'Nothing was changed on the host: the policy is to diagnose and notify only.';
}

/** Up to three things to do now, the analysis' fix first. */
export function nextSteps(
  outcome: ResponseOutcome,
  cause: CauseView | null,
  links: readonly LinkView[],
): Advice[] {
  const steps: Advice[] = [];
  if (cause?.fix.text) steps.push(cause.fix);
  else steps.push(kernelNextStep(outcome.incident.firstKill, topProcesses(outcome).lines.length > 0));
  const workload = workloadStep(outcome);
  if (workload) steps.push(workload);
  const unit = outcome.diagnostics.summary?.unit;
  if (unit?.activeState && unit.activeState !== 'active') {
    steps.push(
      advice(`${unit.name} is ${unit.activeState}: check it, and start it if it should run:`, [
        `sudo systemctl start ${unit.name}`,
      ]),
    );
  }
  const failed = outcome.actions.filter((action) => action.status === 'failed');
  for (const action of failed)
    steps.push(prose(`The ${action.action} remediation failed: read its command output.`));
  if (outcome.incident.instance.resolvedBy === 'unresolved') {
    steps.push(
      prose(
        'Find the instance by its hostname, and ship kernel logs with {instance_id} as the log stream name.',
      ),
    );
  }
  if (outcome.failure) steps.push(prose(`Open the execution to see why ${outcome.failure.stage} failed.`));
  if (!cause && links.some((link) => link.label === 'Logs around the kill')) {
    steps.push(prose('Read the kernel log around the kill (link below).'));
  }
  return steps.slice(0, 3).map(adviceView);
}

/** Where to look first for memory other than the processes' own, when no analysis says more. */
const FILLER_LOOK: Record<Exclude<MemoryKind, 'anon'>, string> = {
  sock: 'Find the sockets with full queues (`ss -tmp` in its network namespace, `ss -s`).',
  shmem: 'Find the tmpfs and shared memory files (`df -h -t tmpfs`, `ipcs -m`).',
  'page-cache': 'Look for dirty pages and a slow disk (`memory.stat` file lines, `iostat -x 1`).',
  kernel: 'See which kernel memory grew (`slabtop`, thread counts, page tables).',
};

/**
 * Without an analysis (a preview, a failed workflow) the kernel report still tells which lever exists: a cgroup
 * limit to raise or a consumer to shrink, or a host that needs more memory, swap, or a cap on its largest process.
 */
export function kernelNextStep(kill: Kill, tasksListed: boolean): Advice {
  const process = kill.process ?? 'the killed process';
  if (kill.kind === 'systemd-oomd') {
    // The analysis' own oomd steps: a scope gets a property, a service a drop-in, the slice its rule.
    return oomdAdvice(kill.systemdUnit ?? 'the unit', oomdRuleOf(kill.reason));
  }
  if (kill.cgroup) {
    // The limit may sit on a parent of the victim's cgroup: name the cgroup that holds it.
    const where = kill.container ? 'the container' : describeHolder(limitHolderOf(kill));
    const filler = memoryComposition(kill)?.dominant ?? null;
    if (filler && filler.kind !== 'anon') {
      const name = KIND_NAMES[filler.kind].full;
      return prose(
        `${name.charAt(0).toUpperCase()}${name.slice(1)} filled the limit of ${where}, not ${process}'s own memory: raising the limit only delays the next kill. ${FILLER_LOOK[filler.kind]}`,
      );
    }
    const limit =
      kill.memoryLimitKb === null || isUnlimitedKb(kill.memoryLimitKb)
        ? 'its memory limit'
        : `its ${formatKiB(kill.memoryLimitKb)} limit`;
    return prose(
      `Check whether ${process} should fit in ${limit}: if it legitimately needs more, raise the limit of ${where}; if its memory keeps growing, look for a leak.`,
    );
  }
  // Point at the task list only when the message shows one: a report cut to its kill lines has none.
  const where = tasksListed
    ? '(largest tasks below)'
    : "(the report holds no task table: 'ps -eo pid,rss,comm --sort=-rss | head' on the host shows today's largest)";
  return prose(
    `Check whether ${process} is back, then find what filled the host's memory ${where}: cap it, add memory or swap, or move it to a bigger instance.`,
  );
}
