import { formatKiB } from '../format/bytes';
import type { Incident } from '../incident/model';
import { blocksTextLength, type SectionBlock, SLACK_LIMITS, type SlackBlock, section } from './slack-blocks';
import { namedIndividually } from './storm';
import { oneLine, truncate } from './text-fit';
import { mrkdwnText } from './untrusted';

/** Room kept under a section's 3,000 characters for the heading line. */
const SECTION_ROOM = SLACK_LIMITS.sectionText - 60;

export interface IncidentList {
  /** Slack sections listing the incidents, within the message's text budget. */
  blocks: SectionBlock[];
  /** The same list as plain text lines, each incident with its full link. */
  text: string[];
  /** The ids listed in both, in order. */
  listed: string[];
}

/**
 * Every incident of a rollup by id, critical ones first, each with what was killed where and its link. A storm
 * rollup is what tells on-call about these incidents, so none may be dropped quietly: the Slack list uses links
 * while they fit the budget left by `fixed`, then ids alone; only when even those do not fit are the last ones
 * cut, with a count, and left out of `listed`, so the caller can tell.
 */
export function listIncidents(
  raw: readonly Incident[],
  linkOf: (incident: Incident) => string | null,
  fixed: readonly SlackBlock[],
): IncidentList {
  const incidents = [...raw].sort((a, b) => Number(namedIndividually(b)) - Number(namedIndividually(a)));
  const budget = SLACK_LIMITS.blocksTextBudget - blocksTextLength(fixed) - 100;
  const described = incidents.map((incident) => ({ incident, what: describe(incident) }));
  const linked = described.map(({ incident, what }) => {
    const url = linkOf(incident);
    const id = mrkdwnText(incident.id);
    return `• ${url ? `<${url}|${id}>` : id} ${mrkdwnText(what)}`;
  });
  const plain = described.map(({ incident, what }) => `• ${mrkdwnText(incident.id)} ${mrkdwnText(what)}`);
  let lines = total(linked) <= budget ? linked : plain;
  let cut = 0;
  while (lines.length > 0 && total(lines) > budget - 80) {
    lines = lines.slice(0, -1);
    cut++;
  }
  const listed = described.slice(0, lines.length).map(({ incident }) => incident.id);
  const blocks = chunk(cut > 0 ? [...lines, `… and ${cut} more not listed here`] : lines);
  const text = described.flatMap(({ incident, what }) => {
    const url = linkOf(incident);
    return [`  ${incident.id} ${what}`, ...(url ? [`    ${url}`] : [])];
  });
  return { blocks, text, listed };
}

function describe(incident: Incident): string {
  const kill = incident.firstKill;
  const who =
    kill.kind === 'systemd-oomd'
      ? `${kill.systemdUnit ?? '?'} (systemd-oomd)`
      : `${kill.process ?? '?'} (pid ${kill.pid ?? '?'})`;
  const where =
    incident.instance.instanceId ?? incident.instance.hostname ?? kill.hostname ?? 'unresolved host';
  const rssKb = incident.kills[0]?.rssKb ?? null;
  const rss = rssKb === null ? '' : `, RSS ${formatKiB(rssKb)}`;
  const kills = incident.killCount > 1 ? `, ${incident.killCount} kills` : '';
  const mark = namedIndividually(incident) ? '! ' : '';
  return truncate(oneLine(`${mark}${who} on ${where}${rss}${kills}${kill.cgroup ? '' : ', host-wide'}`), 200);
}

function total(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + line.length + 1, 0);
}

/** Lines into sections of at most SECTION_ROOM characters each, the first under a heading. */
function chunk(lines: readonly string[]): SectionBlock[] {
  const sections: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (current.length > 0 && size + line.length + 1 > SECTION_ROOM) {
      sections.push(current);
      current = [];
      size = 0;
    }
    current.push(line);
    size += line.length + 1;
  }
  if (current.length > 0) sections.push(current);
  return sections.map((part, i) =>
    section(`${i === 0 ? '*Incidents in this message*\n' : ''}${part.join('\n')}`),
  );
}
