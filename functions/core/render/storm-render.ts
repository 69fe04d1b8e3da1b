import { formatKiB } from '../format/bytes';
import type { Incident } from '../incident/model';
import { type Provenance, provenanceNotice, provenanceTag, tagged } from '../incident/provenance';
import type { StormWindowStats } from '../incident/storm-stats';
import { escapeMrkdwn, fitMrkdwn } from './mrkdwn';
import { redactDeep } from './redaction/redact';
import {
  context,
  fields,
  header,
  SEVERITY_EMOJI,
  SLACK_LIMITS,
  type SlackMessage,
  section,
} from './slack-blocks';
import { fitBytes, SNS_LIMITS, type SnsNotification, snsAttributes, snsSubject } from './sns';
import type { StormCount, StormSummary } from './storm';
import { listIncidents } from './storm-list';
import { summarizeStorm } from './storm-summary';
import { fitLines, oneLine, truncate } from './text-fit';
import { mrkdwnText, snsText } from './untrusted';

/** Rows per table in the message; the rest are counted in one line. */
const ROWS_SHOWN = 10;

export interface StormRollupOptions {
  /** The threshold the rollup was decided with, to say why this is one message. */
  threshold: number;
  /** The whole window as the store counts it, for totals beyond the incidents listed. @default the listed ones */
  window?: StormWindowStats | null;
  /** This rollup's number in its window (1 opens it, later ones follow up). @default none said */
  rollup?: number | null;
  /** The link that opens one incident (its execution), or null. @default no links */
  linkOf?: (incident: Incident) => string | null;
  /** Set for a replayed sample or a demo: the headers are tagged and the text says so. @default live */
  provenance?: Provenance | null;
}

export interface StormRollup {
  summary: StormSummary;
  slack: SlackMessage;
  text: string;
  sns: SnsNotification;
  /** The ids of the incidents both renderings list by name, in order: the incidents this message covers. */
  listed: string[];
}

/**
 * One message for many incidents: counts by process and by instance, worst first, and every incident it covers
 * listed by id with its link. The incidents listed are the ones no earlier message told; the window's totals say
 * how many there are in all. Critical incidents are listed first. Process and instance names are host text: each
 * goes through `mrkdwnText` in Slack and `snsText` in the text and SNS renderings.
 */
export function renderStormRollup(raw: readonly Incident[], options: StormRollupOptions): StormRollup {
  const incidents = redactDeep([...raw]);
  const summary = summarizeStorm(incidents);
  const window = options.window ?? null;
  const provenance = provenanceTag(options.provenance) ? (options.provenance ?? null) : null;
  const title = tagged(provenance, titleOf(summary, window, options.rollup ?? null));
  const builtFrom = provenanceNotice(provenance);
  const span = summary.firstAt && summary.lastAt ? ` (between ${summary.firstAt} and ${summary.lastAt})` : '';
  const why = `More than ${options.threshold} incidents started in one window${span}: the first ${options.threshold} went out on their own, the rest are listed in rollups like this one.`;
  const totals = window ? windowLine(window) : null;
  const processRows = rows(summary.byProcess, 'on');
  const instanceRows = rows(summary.byInstance, 'killed');
  const fixed = [
    header(`${SEVERITY_EMOJI[summary.critical > 0 ? 'critical' : 'warning']} ${title}`),
    section(mrkdwnText(builtFrom ? `${oneLine(builtFrom)}\n${why}` : why)),
    fields([
      { label: 'Kills (listed)', value: String(summary.kills) },
      { label: 'Incidents listed', value: `${summary.incidents} (${summary.critical} critical)` },
      { label: 'Instances', value: String(summary.instances) },
      { label: 'Processes', value: String(summary.byProcess.length) },
    ]),
    section(`*By process* (worst first)\n${fitLines(processRows.map(mrkdwnText), 1400, 'more processes')}`),
    section(`*By instance* (worst first)\n${fitLines(instanceRows.map(mrkdwnText), 1400, 'more instances')}`),
    ...(totals ? [section(mrkdwnText(totals))] : []),
  ];
  const foot = context([
    escapeMrkdwn('Each link opens the incident’s execution: its diagnostics, analysis and actions.'),
  ]);
  const list = listIncidents(incidents, options.linkOf ?? (() => null), [...fixed, foot]);
  const slack: SlackMessage = {
    text: fitMrkdwn(
      `${title}\nWorst: ${summary.byProcess[0]?.name ?? '-'} (${summary.byProcess[0]?.kills ?? 0} kills)`,
      SLACK_LIMITS.fallbackText,
    ),
    blocks: [...fixed, ...list.blocks, foot],
  };
  const text = snsText(
    [
      `[STORM] ${title}`,
      ...(builtFrom ? [oneLine(builtFrom)] : []),
      why,
      ...(totals ? [totals] : []),
      '',
      'By process (worst first):',
      ...processRows.map((row) => `  ${row}`),
      '',
      'By instance (worst first):',
      ...instanceRows.map((row) => `  ${row}`),
      '',
      `Incidents listed here (${list.listed.length}):`,
      ...list.text,
      '',
    ].join('\n'),
  );
  return {
    summary,
    slack,
    text,
    listed: list.listed,
    sns: {
      subject: snsSubject(`[OOM storm] ${title}`),
      message: fitBytes(text, SNS_LIMITS.messageBytes - SNS_LIMITS.attributesReserveBytes),
      sms: truncate(
        snsText(`${title}. Worst: ${summary.byProcess[0]?.name ?? '-'}`),
        SNS_LIMITS.smsChars,
        '...',
      ),
      messageAttributes: snsAttributes({
        eventType: 'oom-storm',
        severity: summary.critical > 0 ? 'critical' : 'warning',
        incidentCount: String(window?.incidents ?? summary.incidents),
        process: summary.byProcess[0]?.name ?? '',
        ...(provenance ? { provenance: provenance.kind } : {}),
      }),
    },
  };
}

function titleOf(summary: StormSummary, window: StormWindowStats | null, rollup: number | null): string {
  if (!window)
    return `OOM storm: ${plural(summary.kills, 'kill')} in ${plural(summary.incidents, 'incident')} on ${plural(summary.instances, 'instance')}`;
  const instances = Object.keys(window.byInstance).length;
  const which = rollup === null ? '' : rollup === 1 ? ' (rollup 1)' : ` (update ${rollup})`;
  return `OOM storm: ${plural(window.incidents, 'incident')} on ${plural(instances, 'instance')}${which}, ${summary.incidents} listed here`;
}

/** The window's totals, from the store's counts (incidents per process and per instance). */
function windowLine(window: StormWindowStats): string {
  const top = Object.entries(window.byProcess)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([name, count]) => `${oneLine(name)} ${count}`);
  const instances = Object.keys(window.byInstance).length;
  return truncate(
    `In this window so far: ${plural(window.incidents, 'incident')} on ${plural(instances, 'instance')}; incidents by process: ${top.join(', ')}${Object.keys(window.byProcess).length > 5 ? ', …' : ''}.`,
    600,
  );
}

function rows(counts: readonly StormCount[], verb: 'on' | 'killed'): string[] {
  const shown = counts.slice(0, ROWS_SHOWN).map((count) => {
    const rss = count.maxRssKb === null ? '' : `, max RSS ${formatKiB(count.maxRssKb)}`;
    const spread = `${verb} ${truncate(count.spread.slice(0, 5).join(', '), 300)}${count.spread.length > 5 ? ` +${count.spread.length - 5}` : ''}`;
    return truncate(
      `${count.critical ? '! ' : ''}${count.name}: ${plural(count.kills, 'kill')}${rss}; ${spread}`,
      500,
    );
  });
  if (counts.length > ROWS_SHOWN) {
    const rest = counts.slice(ROWS_SHOWN).reduce((sum, count) => sum + count.kills, 0);
    shown.push(`… and ${counts.length - ROWS_SHOWN} more with ${plural(rest, 'kill')}`);
  }
  return shown;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
