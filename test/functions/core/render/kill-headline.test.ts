import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { groupKills } from '../../../../functions/core/incident/group-kills';
import { digestKill } from '../../../../functions/core/incident/kill-digest';
import type { Incident } from '../../../../functions/core/incident/model';
import { describeRecurrence } from '../../../../functions/core/render/recurrence';
import { renderSnsNotification } from '../../../../functions/core/render/sns';
import { describeOutcome } from '../../../../functions/core/render/view';
import { KERNEL_CORPUS } from '../../../support/corpus';
import { loggedGroupKills, loggedVictims } from '../../../support/kernel-lines';
import { analyzeIncident, findingOf, incidentFrom, killsOf } from '../analysis/incidents';
import { bareOutcome } from './scenarios';

// Real: a cgroup v2 `/test1` with memory.oom.group killed whole, 12 tasks (linux-mm, 2019; modern/SOURCES.md).
const GROUP_OF_TWELVE = 'modern/memcg-v2-oom-group-twelve-tasks-5.0-lkml.log';
// Real: a Kubernetes container with memory.oom.group, its one task printed twice (modern/SOURCES.md).
const GROUP_OF_ONE = 'modern/k8s-containerd-oom-group-double-kill-grep.log';
// Real: six apache2 workers killed within two minutes on a 2.6.32 VPS (legacy/SOURCES.md).
const SIX_WORKERS = 'legacy/ubuntu1004-2.6.32-vps-console-vsz-six-kills.log';

const linesOf = (fixture: string) => readFileSync(`${KERNEL_CORPUS}${fixture}`, 'utf8').split('\n');

/** The incident the detector builds from a whole log: its first kill opens it, the others join (reprints dropped). */
function incidentOfLog(fixture: string): Incident {
  const [group] = groupKills(killsOf(fixture), { hostKeyOf: () => 'web-1' });
  const [, ...joined] = group?.kills ?? [];
  const incident = incidentFrom(fixture);
  return {
    ...incident,
    kills: [...incident.kills, ...joined.map((kill) => digestKill(kill, 'web-1'))],
    killCount: 1 + joined.length,
  };
}

/** The log's largest victim by the RSS of its kill line (the earliest of equals). */
function largestLogged(fixture: string) {
  const victims = loggedVictims(linesOf(fixture));
  return victims.reduce((a, b) => ((b.rssKb ?? -1) > (a.rssKb ?? -1) ? b : a));
}

const mib = (kb: number) => `${(kb / 1024).toFixed(kb < 10 * 1024 ? 1 : 0)} MiB`;

describe('a memory.oom.group kill reads as the whole cgroup killed', () => {
  const [logged] = loggedGroupKills(linesOf(GROUP_OF_TWELVE));
  const incident = incidentOfLog(GROUP_OF_TWELVE);
  const view = describeOutcome(bareOutcome(incident));

  it('names the cgroup, its task count and its largest task in the title, from the kernel lines', () => {
    expect(view.title).toBe(`OOM kill (unconfirmed): ${view.headline} on ${view.host}`);
    expect(logged?.victims.length).toBe(12);
    const largest = largestLogged(GROUP_OF_TWELVE);
    expect(view.headline).toBe(
      `the whole cgroup ${logged?.memcg} was killed (${logged?.victims.length} tasks; largest: ${largest.name} pid ${largest.pid}, ${mib(largest.rssKb ?? 0)})`,
    );
  });

  it('lists every task once under a heading that says the cgroup was killed whole', () => {
    expect(view.kills?.heading).toBe(
      `The whole cgroup ${logged?.memcg} was killed (memory.oom.group): ${logged?.victims.length} tasks`,
    );
    expect(view.kills?.lines.map((line) => /\(pid (\d+)\)/.exec(line)?.[1])).toEqual(
      logged?.victims.map((victim) => String(victim.pid)),
    );
  });

  it('is one event: no recurrence, no worker pool, no leak', () => {
    expect(describeRecurrence(incident)).toBeNull();
    const analysis = analyzeIncident(incident, null);
    expect(findingOf(analysis, 'memory-leak')).toBeUndefined();
    expect(findingOf(analysis, 'process-storm')).toBeUndefined();
  });

  it('says the same in the SNS subject and text', () => {
    const sns = renderSnsNotification(bareOutcome(incident));
    expect(sns.subject).toContain(
      `[OOM warning (unconfirmed)] the whole cgroup ${logged?.memcg} was killed (12 tasks`,
    );
    expect(sns.message).toContain(view.headline);
  });

  it('of one task (its victim printed twice) reads as that victim, its cgroup killed whole, once', () => {
    const [group] = loggedGroupKills(linesOf(GROUP_OF_ONE));
    expect(group?.victims).toHaveLength(1);
    const one = incidentOfLog(GROUP_OF_ONE);
    expect(describeOutcome(bareOutcome(one)).headline).toBe(
      `${group?.victims[0]?.name} (pid ${group?.victims[0]?.pid}): its whole cgroup was killed (memory.oom.group, 1 task)`,
    );
    expect(describeRecurrence(one)).toBeNull();
  });
});

describe('kills of one pool’s workers within minutes', () => {
  const incident = incidentOfLog(SIX_WORKERS);
  const victims = loggedVictims(linesOf(SIX_WORKERS));
  const stamps = linesOf(SIX_WORKERS)
    .filter((line) => line.includes('Killed process'))
    .map((line) => Number(/\[\s*(\d+\.\d+)\]/.exec(line)?.[1]));

  it('headline the largest worker and the count', () => {
    const largest = largestLogged(SIX_WORKERS);
    const minutes = Math.round(((stamps.at(-1) ?? 0) - (stamps[0] ?? 0)) / 60);
    expect(describeOutcome(bareOutcome(incident)).headline).toBe(
      `${largest.name} (pid ${largest.pid}, ${mib(largest.rssKb ?? 0)}, the largest) + ${victims.length - 1} more kills of ${largest.name} in ${minutes} min`,
    );
  });

  it('mark the largest in the kill list', () => {
    const largest = largestLogged(SIX_WORKERS);
    const marked = describeOutcome(bareOutcome(incident)).kills?.lines.filter((line) =>
      line.includes('(the largest)'),
    );
    expect(marked).toEqual([expect.stringContaining(`(pid ${largest.pid})`)]);
  });
});

describe('the headline', () => {
  it('stays within 150 characters before the host, whatever the cgroup path', () => {
    const incident = incidentOfLog(GROUP_OF_TWELVE);
    const deep = `/${'kubepods-burstable-pod94eb36cd_29e1_478b_b365_4cb5dfc7d6fb.slice/'.repeat(6)}app.scope`;
    const long: Incident = {
      ...incident,
      firstKill: { ...incident.firstKill, oomGroupMemcg: deep, process: 'x'.repeat(300) },
      kills: incident.kills.map((kill) => ({ ...kill, oomGroupMemcg: deep, memcg: deep })),
    };
    const { title, host } = describeOutcome(bareOutcome(long));
    expect(title.endsWith(` on ${host}`)).toBe(true);
    expect(title.length - ` on ${host}`.length).toBeLessThanOrEqual(150);
    // The end of the path tells the cgroup apart: it is what is kept.
    expect(title).toContain('app.scope');
  });

  it('of a single kill is its victim, as before', () => {
    const incident = incidentFrom(SIX_WORKERS);
    const [first] = loggedVictims(linesOf(SIX_WORKERS));
    expect(describeOutcome(bareOutcome(incident)).headline).toBe(`${first?.name} (pid ${first?.pid})`);
  });
});
