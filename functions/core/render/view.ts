import { advice, prose } from '../analysis/advice';
import { memoryComposition } from '../analysis/memory-composition';
import type { Advice } from '../analysis/model';
import { corroborationLine, corroborationOf, sourceName } from '../diagnostics/corroboration';
import { diagnosisRelation } from '../diagnostics/diagnosis-time';
import type { DiagnosticsSummary } from '../diagnostics/model';
import { formatKiB } from '../format/bytes';
import type { Severity } from '../incident/model';
import type { ResponseOutcome } from '../incident/outcome';
import { type Provenance, provenanceNotice, provenanceTag } from '../incident/provenance';
import { killHeadline } from './headline';
import { incidentLinks, type LinkView } from './incident-links';
import {
  diagnosisLabel,
  type Fact,
  hostLabel,
  kernelFinding,
  killFacts,
  placeLabel,
  victimLabel,
} from './kill-facts';
import { killListHeading, largestMark } from './kill-list';
import { type MemoryTimelineView, memoryTimelineView } from './memory-timeline-view';
import { describeNotices, nextSteps, nothingDoneLine } from './notices';
import { describeRecurrence } from './recurrence';
import { mapStrings, redact } from './redaction/redact';
import { type RelatedView, relatedViews } from './related-incidents';
import {
  type ActionLine,
  actionLines,
  type CauseView,
  causeView,
  memoryLine,
  otherFindings,
  type ProcessLine,
  stateLines,
  topProcesses,
} from './response-facts';
import { clean, oneLine } from './text-fit';
import { warnedBeforeFacts } from './warned-before';
import { whatHappened } from './what-happened';

/**
 * Everything a renderer shows, worked out once from a response outcome: the outcome is redacted whole first, so
 * no renderer can show a secret, and every value is plain text (each channel escapes and fits it its own way).
 */
export interface OutcomeView {
  incidentId: string;
  severity: Severity;
  /** `critical`, or `critical (unconfirmed)` when the host did not confirm the kill: the severity as said. */
  severityLabel: string;
  /** Whether the host's own kernel log (or systemd-oomd's journal) holds the kill. */
  confirmed: boolean;
  /** "Kill confirmed by the host's kernel log (dmesg -k)", or why it is not. */
  corroboration: string;
  /** `java (pid 4242)`. */
  victim: string;
  /** `web-1 (i-0abc1234def567890)`. */
  host: string;
  /**
   * What was killed, in one short line (`headline.ts`): `java (pid 4242)`, the whole cgroup of an oom.group kill, or
   * the largest victim and the count (`apache2 (pid 15599, 45 MiB, the largest) + 5 more kills of apache2 in 2 min`).
   */
  headline: string;
  /**
   * `OOM kill: <headline> on web-1 (i-0abc…)`, the workload by name when the diagnostics tell it (`api (pid 7) in
   * pod payments/api-7d9f (container api) on ...`): every channel's title.
   */
  title: string;
  /**
   * `[SAMPLE]` or `[DEMO]` when the message was not built from a live kill: every renderer puts it at the start
   * of its header (`tagged`). Null for a live message.
   */
  tag: string | null;
  /** The outcome's provenance when it is not live (what the message was built from), else null. */
  provenance: Provenance | null;
  /**
   * Said first, plainly: what a sample or demo message was built from, an unresolved instance, a failed
   * workflow, missing diagnostics.
   */
  notices: string[];
  /** What the kernel stated for certain (scope, victim, trigger, oom.group, kills): no confidence, no guess. */
  whatHappened: Fact[];
  /** Why: the likely cause, a hypothesis with its evidence and the confidence derived from it. */
  cause: CauseView | null;
  /**
   * Which memory filled the cgroup or the host, from the report's own breakdown (memcg stats, Mem-Info): `Filled
   * by socket buffers: 175 MiB of 203 MiB charged (86%); anon 27 MiB`. Null when the report printed none.
   */
  filledBy: string | null;
  /**
   * The instance's available memory over the hour before the kill (CloudWatch agent metrics), or one line saying
   * why there is none and how to get it. Null when none was asked for (a drill, no metrics deployed).
   */
  memoryTimeline: MemoryTimelineView | null;
  /** The kernel report's own account, shown when there is no analysis. */
  kernelFinding: string;
  otherFindings: string[];
  facts: Fact[];
  memory: string | null;
  /** `Memory at diagnosis (18:28:16)`, with `..., from a later boot: not about this kill` when it is not. */
  memoryLabel: string;
  state: string[];
  top: { source: 'diagnostics' | 'kernel'; lines: ProcessLine[] };
  actions: ActionLine[];
  /** Set when nothing was done on the host, saying why. */
  nothingDone: string | null;
  recurrence: string | null;
  /** Every kill of the incident, under a heading that says what they were (`12 kills in this incident`, a cgroup). */
  kills: { total: number; heading: string; lines: string[]; unlisted: number } | null;
  links: LinkView[];
  /** Earlier incidents of the same instance within a day, newest first, each with its execution when known. */
  related: RelatedView[];
  /** Up to three steps (four with the check of an unconfirmed kill), each with its code to paste. */
  nextSteps: Advice[];
  footer: string;
}

/**
 * The outcome with every string redacted and cleaned (control characters and lone surrogates replaced): what
 * every renderer works from, so no path can show a secret or emit text Slack or SNS would refuse.
 */
export function safeOutcome(raw: ResponseOutcome): ResponseOutcome {
  return mapStrings(raw, (text) => clean(redact(text)));
}

export function describeOutcome(raw: ResponseOutcome): OutcomeView {
  const outcome = safeOutcome(raw);
  const { incident, diagnostics } = outcome;
  // A partial summary (a probe timed out, the workflow failed after collecting) is still worth showing.
  const summary = diagnostics.summary;
  const victim = victimLabel(incident.firstKill);
  const host = hostLabel(incident);
  const cause = causeView(outcome.analysis);
  const corroboration = corroborationOf(summary);
  const corroborationText = oneLine(corroborationLine(incident.firstKill.origin, corroboration));
  const unconfirmed = corroboration.confirmed ? '' : ' (unconfirmed)';
  const prefix = `OOM kill${unconfirmed}: `;
  // The largest victim and the count, the workload by name only (an id there says nothing at 3 a.m.).
  const headline = killHeadline(incident, summary?.containers, prefix);
  const severityLabel = `${incident.severity}${unconfirmed}`;
  // Said first when it is a doubt: every claim below comes from a line the host did not vouch for.
  const elsewhere = summary ? diagnosisRelation(incident.firstKill, summary).notAboutThisKill : null;
  const builtFrom = provenanceNotice(outcome.provenance);
  const notices = [
    ...(builtFrom ? [oneLine(builtFrom)] : []),
    ...(corroboration.confirmed ? [] : [corroborationText]),
    ...(elsewhere
      ? [
          oneLine(
            `The diagnostics are from ${elsewhere.kind} (${elsewhere.detail}): their memory, processes and state are not about this kill.`,
          ),
        ]
      : []),
    ...describeNotices(outcome),
  ];
  const actions = actionLines(outcome);
  const links = incidentLinks(outcome);
  return {
    incidentId: oneLine(incident.id),
    severity: incident.severity,
    severityLabel,
    confirmed: corroboration.confirmed,
    corroboration: corroborationText,
    victim,
    host,
    headline,
    title: `${prefix}${headline} on ${host}`,
    tag: provenanceTag(outcome.provenance),
    provenance: outcome.provenance && provenanceTag(outcome.provenance) ? outcome.provenance : null,
    notices,
    // A warning that went out before the kill is said with it: how long on-call had.
    whatHappened: [...whatHappened(incident, summary?.containers), ...warnedBeforeFacts(outcome)],
    cause,
    filledBy: filledByLine(incident.firstKill),
    memoryTimeline: memoryTimelineView(outcome),
    kernelFinding: kernelFinding(incident.firstKill),
    otherFindings: otherFindings(outcome.analysis),
    facts: killFacts(incident, summary),
    memory: memoryLine(summary),
    memoryLabel: summary ? diagnosisLabel('Memory', incident.firstKill, summary) : 'Memory at diagnosis',
    state: stateLines(summary),
    top: topProcesses(outcome),
    actions,
    nothingDone: nothingDoneLine(outcome, actions),
    recurrence: describeRecurrence(incident),
    kills: killList(outcome),
    links,
    related: relatedViews(outcome),
    nextSteps: corroboration.confirmed
      ? nextSteps(outcome, cause, links)
      : [checkTheKillStep(incident.firstKill, summary), ...nextSteps(outcome, cause, links)],
    footer: oneLine(
      [
        `Incident ${incident.id}`,
        `severity ${severityLabel}`,
        corroboration.confirmed
          ? `kill confirmed by ${sourceName(corroboration.source)}`
          : 'kill not confirmed by the host',
        `diagnostics ${diagnostics.status}`,
        incident.firstKill.kind === 'systemd-oomd'
          ? 'killed by systemd-oomd'
          : 'killed by the kernel OOM killer',
      ].join(' · '),
    ),
  };
}

/** What the kernel printed, so it is said whatever the analysis made of it (or when there is none). */
function filledByLine(kill: ResponseOutcome['incident']['firstKill']): string | null {
  const composition = memoryComposition(kill);
  return composition ? oneLine(composition.line) : null;
}

/**
 * Before acting on a kill nothing vouched for: look for it where only the kernel (or systemd-oomd) writes. When
 * the diagnostics already looked, their answer is the step, not the command they ran.
 */
function checkTheKillStep(
  kill: ResponseOutcome['incident']['firstKill'],
  summary: DiagnosticsSummary | null,
): Advice {
  const looked = summary?.killConfirmation;
  if (summary && looked && looked.status === 'not-found') {
    const at = diagnosisRelation(kill, summary).at;
    const where = sourceName(looked.source);
    return prose(
      oneLine(
        `Treat the kill as unproven: at diagnosis${at ? ` ${at}` : ''} ${where} did not hold it${looked.detail ? ` (${looked.detail})` : ''}. Do not change the host on it alone.`,
      ),
    );
  }
  const lead = 'First check the kill is real, on the host:';
  if (kill.kind === 'systemd-oomd')
    return advice(lead, ['journalctl -u systemd-oomd --since -1h | grep Killed']);
  const pid = kill.pid === null ? '' : ` ${kill.pid}`;
  return advice(lead, [`sudo dmesg -k | grep 'Killed process${pid}'`]);
}

function killList(outcome: ResponseOutcome): OutcomeView['kills'] {
  const { incident } = outcome;
  if (incident.killCount <= 1) return null;
  // Every kill named with its pid, in few characters: the place is said only where it differs from the first
  // kill's, and the time is short, so a crash loop of dozens of kills fits the message whole.
  const containers = outcome.diagnostics.summary?.containers;
  const firstPlace = incident.kills[0] ? placeLabel(incident.kills[0], containers) : null;
  const mark = largestMark(incident.kills);
  const lines = incident.kills.map((kill) => {
    const who =
      kill.kind === 'systemd-oomd'
        ? `${kill.systemdUnit ?? '?'} (systemd-oomd)`
        : `${kill.process ?? '?'} (pid ${kill.pid ?? '?'})`;
    const rss = kill.rssKb === null ? '' : ` ${formatKiB(kill.rssKb)}`;
    const time = shortTime(kill.time, kill.kernelTime);
    const place = placeLabel(kill, containers);
    return oneLine(
      `${who}${rss}${kill === mark ? ' (the largest)' : ''}${time ? ` at ${time}` : ''}${place && place !== firstPlace ? ` in ${place}` : ''}`,
    );
  });
  return {
    total: incident.killCount,
    heading: oneLine(killListHeading(incident, containers)),
    lines,
    unlisted: Math.max(0, incident.killCount - incident.kills.length),
  };
}

/** `17:30:50` of an ISO time, or seconds after boot: enough to tell kills of one incident apart. */
function shortTime(time: string | null, kernelTime: number | null): string | null {
  if (time && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?/.test(time)) return time.slice(11, 19);
  return kernelTime === null ? null : `${kernelTime.toFixed(1)}s`;
}
