import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { previewOutcome } from '../../../../cli/format/preview-outcome';
import { formatKiB } from '../../../../functions/core/format/bytes';
import { isUnlimitedKb } from '../../../../functions/core/format/limits';
import { groupKills } from '../../../../functions/core/incident/group-kills';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import type { Kill } from '../../../../functions/core/kernel-log';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import { analysedPreview } from '../../../support/analysed-preview';
import { corpusSamples, parseFile } from '../../../support/corpus';
import {
  confinedToCgroup,
  type LoggedVictim,
  loggedGroupKills,
  loggedVictims,
  printedMemcgUsage,
  printedOomdUsageKb,
  printedRamPages,
  printedRelease,
  printedRssKb,
  printedTime,
  reportLines,
} from '../../../support/kernel-lines';

/** When the preview "runs": far from every fixture's time, so a message showing it instead of the kill's is caught. */
const PREVIEW_NOW = '2031-07-04T04:04:04.000Z';

/** The messages of a log: one per incident, as `oom-responder preview` groups them, without and with analysis. */
function messagesOf(kills: Kill[]): { outcome: ResponseOutcome; first: Kill; kills: Kill[] }[] {
  const groups = groupKills(kills, { hostKeyOf: (kill) => kill.hostname ?? kill.logStream ?? 'input' });
  return groups.flatMap((group) => {
    const preview = previewOutcome(group, { partition: 'aws', region: '', now: PREVIEW_NOW });
    const first = group.kills[0] as Kill;
    return [preview, analysedPreview(group, PREVIEW_NOW)].map((outcome) => ({
      outcome,
      first,
      kills: group.kills,
    }));
  });
}

/** The victim of the log a kill is about: its pid's line, or systemd-oomd's line for its cgroup. */
function victimOf(kill: Kill, victims: LoggedVictim[]): LoggedVictim | undefined {
  const key = kill.kind === 'systemd-oomd' ? `unit:${kill.taskMemcg}` : `pid:${kill.pid}`;
  return victims.find((victim) => victim.key === key);
}

/**
 * How many kills a title counts: the tasks of a cgroup killed whole (`(12 tasks;`, `1 task)`) or the one victim it
 * names, plus its `+ N more kills`.
 */
function countedBy(title: string): number {
  const tasks = /\((?:at least )?(\d+) tasks;|memory\.oom\.group, (1) task\)/.exec(title);
  const more = / \+ (\d+) more kills?\b/.exec(title);
  return Number(tasks?.[1] ?? tasks?.[2] ?? 1) + Number(more?.[1] ?? 0);
}

/**
 * The victim a title must name, from the log's lines: of the incident's victims, the one whose kill line printed
 * the most RSS (the earliest of equals); the first kill's when no line printed a size or a single kill.
 */
function largestVictim(incidentKills: Kill[], victims: LoggedVictim[]): LoggedVictim | undefined {
  const own = incidentKills
    .map((kill) => victimOf(kill, victims))
    .filter((victim, i, all): victim is LoggedVictim => victim !== undefined && all.indexOf(victim) === i);
  let largest = own[0];
  for (const victim of own)
    if (victim.rssKb !== null && (largest?.rssKb == null || victim.rssKb > largest.rssKb)) largest = victim;
  return largest;
}

const fact = (text: string, label: string) => new RegExp(`^${label}: (.*)$`, 'm').exec(text)?.[1] ?? null;

describe('every message of a real report agrees with the kernel lines it came from', () => {
  for (const sample of corpusSamples()) {
    it(`${sample.theme}/${sample.name}`, async () => {
      const lines = readFileSync(sample.logPath, 'utf8').split('\n');
      const victims = loggedVictims(lines);
      const messages = messagesOf(await parseFile(sample.logPath));
      // Every kill the log prints is counted once over the incidents: a cgroup's tasks and `+ N more` add up to the
      // victims printed (an oom.group victim printed twice is one).
      const counted = messages
        .filter((_, i) => i % 2 === 0)
        .map(({ outcome }) => countedBy(renderPlainText(outcome).split('\n')[0] ?? ''));
      expect(counted.reduce((a, b) => a + b, 0)).toBe(messages.length === 0 ? 0 : victims.length);
      const groups = loggedGroupKills(lines);

      for (const { outcome, first, kills } of messages) {
        const slack = renderSlackMessage(outcome);
        const text = renderPlainText(outcome);
        const all = `${text}\n${JSON.stringify(slack)}`;
        expect(validateSlackMessage(slack)).toEqual([]);
        const victim = victimOf(first, victims);
        expect(victim, 'the first kill is a victim the log names').toBeDefined();
        if (!victim) continue;
        const title = text.split('\n')[0] ?? '';
        // Short before the host, whatever the names in it.
        expect(title.slice(0, title.lastIndexOf(' on ')).length).toBeLessThanOrEqual(150);
        // A cgroup the kernel killed whole is said so, with its task count and its largest task, from the log.
        const group = groups.find((g) => g.victims.some((v) => v.key === victim.key));
        const largest = group
          ? largestVictim(
              kills.filter((k) => group.victims.some((v) => v.pid === k.pid)),
              group.victims,
            )
          : largestVictim(kills, victims);
        if (group && group.victims.length > 1 && largest) {
          expect(title).toContain(
            `was killed (${group.victims.length} tasks; largest: ${largest.name} pid ${largest.pid}`,
          );
          expect(text).toContain(
            `The whole cgroup ${group.memcg} was killed (memory.oom.group): ${group.victims.length} tasks`,
          );
          expect(text).not.toMatch(/\b\d+(?:st|nd|rd|th) kill of /);
        } else if (largest) {
          // The largest victim by the kernel's own name and pid (systemd-oomd names a cgroup, no pid).
          expect(title).toContain(
            largest.pid === null ? `${largest.name} (systemd-oomd)` : `${largest.name} (pid ${largest.pid}`,
          );
        }
        const report = reportLines(lines, victim.line);
        // What happened: the kernel's own figures, derived here from the report's lines.
        const scope = fact(text, 'Scope') ?? '';
        const killed = fact(text, 'Killed') ?? '';
        if (first.kind === 'systemd-oomd') {
          expect(scope).toContain('systemd-oomd');
          const usage = printedOomdUsageKb(lines, first.taskMemcg ?? '');
          if (usage !== null) expect(killed).toContain(`Current Memory Usage ${formatKiB(usage)}`);
          else expect(killed).toContain('printed no memory figures');
        } else {
          const confined = confinedToCgroup(report);
          expect(scope.startsWith('the whole host ran out of memory')).toBe(!confined);
          // A kill confined to a cgroup is never called a host process, named or not.
          if (confined) expect(fact(text, 'Unit / container / pod') ?? '').not.toMatch(/host process/);
          const memcg = printedMemcgUsage(report);
          if (confined && memcg && !isUnlimitedKb(memcg.limitKb)) {
            expect(scope).toContain(`usage ${formatKiB(memcg.usageKb)}, limit ${formatKiB(memcg.limitKb)}`);
          }
          const pages = printedRamPages(report);
          if (!confined && pages !== null) expect(scope).toContain(`RAM ${formatKiB(pages * 4)}`);
          expect(killed.startsWith(`${victim.name} (pid ${victim.pid})`)).toBe(true);
          const rss = printedRssKb(lines[victim.line] ?? '');
          if (rss !== null) expect(killed).toContain(`RSS ${formatKiB(rss)}`);
        }
        expect(all).not.toContain('(unnamed)');
        // memory.oom.group: the kernel prints it right after the first victim of the group.
        const groupLine = lines
          .slice(victim.line, victim.line + 4)
          .some((line) => /Tasks in \S+ are going to be killed due to memory\.oom\.group set/.test(line));
        if (groupLine)
          expect(fact(text, 'memory.oom.group')).toMatch(/^set on .*: the kernel killed every task in it/);
        // Why holds hypotheses, never the kernel's certainty restated as a cause.
        const why = /^Why \(.*$/m.exec(text)?.[0] ?? '';
        expect(why).not.toMatch(/ran out of memory|\bhit the\b|systemd-oomd killed/);
        if (outcome.analysis) {
          expect(why).toMatch(/\(confidence \d+%, from .+\)$/);
          for (const finding of outcome.analysis.findings) {
            expect(finding.evidence.some((item) => item.kind !== 'context')).toBe(true);
          }
        }

        const shown = fact(text, 'Killed at') ?? '';
        expect(shown).not.toContain('(received)');
        expect(shown).not.toContain(PREVIEW_NOW.slice(0, 10));
        const time = printedTime(lines, victim.line);
        if (time) expect(shown).toMatch(time);

        const release = printedRelease(report);
        if (release) expect(fact(text, 'Kernel')).toBe(release);

        // A pointer to a task list points at one the message shows, and says which table it is.
        if (text.includes('largest tasks below')) {
          expect(text).toMatch(/^(Largest tasks at the kill|Top processes by RSS)/m);
        }
        const taskRows = report.filter((line) => /\[\s*\d+\]\s+\d+\s+\d+\s+\d+\s+\d+/.test(line));
        if (outcome.diagnostics.summary === null && taskRows.length === 0) {
          expect(text).not.toMatch(/^(Largest tasks at the kill|Top processes by RSS)/m);
        }

        // Ids are shortened where a readable name exists (a unit, a container's short id, a pod).
        expect(all).not.toMatch(/[0-9a-f]{64}/);
      }
    });
  }
});
