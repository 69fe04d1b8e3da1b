import { formatKiB } from '../format/bytes';
import type { Incident } from '../incident/model';
import { escapeMrkdwn, fitMrkdwn } from './mrkdwn';
import { context, fields, header, SLACK_LIMITS, type SlackMessage, section } from './slack-blocks';
import { fitBytes, SNS_LIMITS, type SnsNotification, snsAttributes, snsSubject } from './sns';
import type { StormCount, StormSummary } from './storm';
import { summarizeStorm } from './storm-summary';
import { fitLines, truncate } from './text-fit';

/** Rows per table in the message; the rest are counted in one line. */
const ROWS_SHOWN = 10;

export interface StormRollupOptions {
  /** The threshold the rollup was decided with, to say why this is one message. */
  threshold: number;
}

export interface StormRollup {
  summary: StormSummary;
  slack: SlackMessage;
  text: string;
  sns: SnsNotification;
}

/**
 * One message for many incidents: counts by process and by instance, worst first, with the totals. The
 * individual incidents are not sent; each remains in the incident store and has its own execution.
 */
export function renderStormRollup(incidents: readonly Incident[], options: StormRollupOptions): StormRollup {
  const summary = summarizeStorm(incidents);
  const title = `OOM storm: ${plural(summary.kills, 'kill')} in ${plural(summary.incidents, 'incident')} on ${plural(summary.instances, 'instance')}`;
  const window = summary.firstAt && summary.lastAt ? `between ${summary.firstAt} and ${summary.lastAt}` : '';
  const why = `More than ${options.threshold} incidents started in one window${window ? ` (${window})` : ''}: rolled up into this message instead of one each.`;
  const processRows = rows(summary.byProcess, 'on');
  const instanceRows = rows(summary.byInstance, 'killed');
  const slack: SlackMessage = {
    text: fitMrkdwn(
      `${title}\nWorst: ${summary.byProcess[0]?.name ?? '-'} (${summary.byProcess[0]?.kills ?? 0} kills)`,
      SLACK_LIMITS.fallbackText,
    ),
    blocks: [
      header(`${summary.critical > 0 ? ':rotating_light:' : ':warning:'} ${title}`),
      section(escapeMrkdwn(why)),
      fields([
        { label: 'Kills', value: String(summary.kills) },
        { label: 'Incidents', value: `${summary.incidents} (${summary.critical} critical)` },
        { label: 'Instances', value: String(summary.instances) },
        { label: 'Processes', value: String(summary.byProcess.length) },
      ]),
      section(
        `*By process* (worst first)\n${fitLines(processRows.map(escapeMrkdwn), SLACK_LIMITS.sectionText - 40, 'more processes')}`,
      ),
      section(
        `*By instance* (worst first)\n${fitLines(instanceRows.map(escapeMrkdwn), SLACK_LIMITS.sectionText - 40, 'more instances')}`,
      ),
      context([
        escapeMrkdwn(
          'Each incident keeps its own execution and diagnostics; open them from the incident store.',
        ),
      ]),
    ],
  };
  const text = [
    `[STORM] ${title}`,
    why,
    '',
    'By process (worst first):',
    ...processRows.map((row) => `  ${row}`),
    '',
    'By instance (worst first):',
    ...instanceRows.map((row) => `  ${row}`),
    '',
  ].join('\n');
  return {
    summary,
    slack,
    text,
    sns: {
      subject: snsSubject(`[OOM storm] ${title}`),
      message: fitBytes(text, SNS_LIMITS.messageBytes - SNS_LIMITS.attributesReserveBytes),
      sms: truncate(`${title}. Worst: ${summary.byProcess[0]?.name ?? '-'}`, SNS_LIMITS.smsChars, '...'),
      messageAttributes: snsAttributes({
        eventType: 'oom-storm',
        severity: summary.critical > 0 ? 'critical' : 'warning',
        incidentCount: String(summary.incidents),
        process: summary.byProcess[0]?.name ?? '',
      }),
    },
  };
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
