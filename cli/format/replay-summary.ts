import { formatKiB } from '../../functions/core/format/bytes';
import type { KillDigest } from '../../functions/core/incident/model';
import { tagged } from '../../functions/core/incident/provenance';
import { placeLabel, timeLabel } from '../../functions/core/render/kill-facts';
import { ACTION_NAMES, STATUS_WORDS } from '../../functions/core/render/response-facts';
import { describeOutcome } from '../../functions/core/render/view';
import type { IncidentResult, ReplayResult } from '../replay/pipeline';

export interface SummaryContext {
  /** What was replayed, e.g. `kern.log`, `the kernel's report of the demo's kill`. */
  source: string;
  /** Where diagnostics and remediation ran, in words. */
  where: string;
  /** Where Slack messages go: posted to the webhook, or printed. */
  slack: 'webhook' | 'printed';
}

/**
 * The replay's summary for people, on stdout after the messages: per incident, every kill, the likely cause, what
 * was done, and where the message went. Built from the same view the renderers use, so it says what they say.
 */
export function formatReplaySummary(result: ReplayResult, context: SummaryContext): string {
  const incidents = result.incidents.length;
  const head = `Replayed ${context.source}: ${count(result.kills, 'kill')} in ${count(incidents, 'incident')}. ${context.where}`;
  if (result.kills === 0) return `${head}\nNo OOM kills found.\n`;
  const blocks = result.incidents.map((item, i) => incidentSummary(item, `${i + 1}/${incidents}`, context));
  return `${[head, ...blocks].join('\n\n')}\n`;
}

function incidentSummary(item: IncidentResult, label: string, context: SummaryContext): string {
  const { incident, outcome, notification } = item;
  const rows: [string, string[]][] = [];
  const view = outcome ? describeOutcome({ ...outcome, incident }) : null;
  rows.push(['incident', [`${incident.id} (${incident.severity})`]]);
  rows.push(['killed', killLines(incident.kills, incident.killCount)]);
  if (view) {
    rows.push([
      view.cause ? view.cause.label.toLowerCase() : 'kernel says',
      [view.cause ? `${view.cause.title}${confidence(view.cause.confidencePercent)}` : view.kernelFinding],
    ]);
    const next = view.nextSteps[0];
    // The code on lines of its own, indented, so a drop-in reads (and copies) as its lines.
    if (next) {
      const code = next.code ? next.code.split('\n').map((line) => `    ${line}`) : [];
      rows.push(['next', [next.text, ...code, ...(next.after ? [next.after] : [])]]);
    }
    const timeline = view.memoryTimeline;
    if (timeline)
      rows.push([
        'memory',
        timeline.sparkline
          ? [`${timeline.sparkline}  ${timeline.span ?? ''}`, timeline.line]
          : [timeline.line],
      ]);
    rows.push([
      'diagnostics',
      [`${outcome?.diagnostics.status ?? '?'}${view.memory ? `: ${view.memory}` : ''}`],
    ]);
    rows.push([
      'done',
      [
        ...(view.nothingDone ? [view.nothingDone] : []),
        ...view.actions.map((a) => `[${STATUS_WORDS[a.status]}] ${ACTION_NAMES[a.action]}: ${a.text}`),
      ],
    ]);
  }
  rows.push(['message', [messageLine(notification, context)]]);
  const title =
    (view ? tagged(view.provenance, view.title) : null) ??
    `OOM kill on ${incident.instance.hostname ?? incident.instance.instanceId ?? '?'}`;
  return [
    `Incident ${label}: ${title}`,
    ...rows.flatMap(([key, lines]) => lines.map((line, i) => `  ${(i === 0 ? key : '').padEnd(13)}${line}`)),
  ].join('\n');
}

function killLines(kills: readonly KillDigest[], total: number): string[] {
  const lines = kills.map((kill) => {
    const who =
      kill.kind === 'systemd-oomd'
        ? `${kill.systemdUnit ?? '?'} (systemd-oomd)`
        : `${kill.process ?? '?'} (pid ${kill.pid ?? '?'})`;
    const rss = kill.rssKb === null ? '' : `, RSS ${formatKiB(kill.rssKb)}`;
    const place = placeLabel(kill);
    return `${who}${rss}${place ? ` in ${place}` : ''}, at ${timeLabel(kill.time, kill.kernelTime)}`;
  });
  if (total > kills.length)
    lines.push(`… and ${total - kills.length} more (the incident lists ${kills.length})`);
  return lines;
}

function confidence(percent: number | null): string {
  return percent === null ? '' : ` (confidence ${percent}%)`;
}

function messageLine(record: IncidentResult['notification'], context: SummaryContext): string {
  if (!record) return 'not sent: the notify step failed';
  const slack = record.slack;
  const where =
    slack.status === 'sent'
      ? context.slack === 'webhook'
        ? 'Slack: posted to the webhook'
        : 'Slack: printed above (no --slack-webhook given)'
      : slack.status === 'failed'
        ? `Slack: NOT delivered (${slack.detail ?? 'no detail'})`
        : `Slack: ${slack.status}${slack.detail ? ` (${slack.detail})` : ''}`;
  return `${where}; ${snsText(record.sns.status)}`;
}

/** A replay never publishes to a topic: what would have gone there is kept in memory. */
export function snsText(status: string): string {
  return status === 'sent' ? 'SNS: kept locally, not published' : `SNS: ${status}`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
