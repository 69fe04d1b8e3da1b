import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { digestKill } from '../../../../functions/core/incident/kill-digest';
import type { Incident } from '../../../../functions/core/incident/model';
import { distinctKillsOf, workerBurstOf } from '../../../../functions/core/incident/worker-burst';
import { describeRecurrence } from '../../../../functions/core/render/recurrence';
import { KERNEL_CORPUS } from '../../../support/corpus';
import { analyzeIncident, evidenceTexts, findingOf, incidentFrom, killsOf } from '../analysis/incidents';

// Real: six apache2 workers of a 2.6.32 VPS killed one after another (forum post, legacy/SOURCES.md).
const SIX_WORKERS = 'legacy/ubuntu1004-2.6.32-vps-console-vsz-six-kills.log';
// Real: a cgroup v2 pod with memory.oom.group, whose victim the kernel names twice (modern/SOURCES.md).
const OOM_GROUP_TWICE = 'modern/k8s-containerd-oom-group-double-kill-grep.log';

/** The incident the detector builds when every kill of the log joins the first one's. */
function incidentOfAll(fixture: string): Incident {
  const incident = incidentFrom(fixture);
  const rest = killsOf(fixture).slice(1);
  return {
    ...incident,
    kills: [...incident.kills, ...rest.map((kill) => digestKill(kill, incident.id))],
    killCount: incident.killCount + rest.length,
  };
}

/** `Killed process N (name)` lines of a fixture, with their kernel stamps: what the expectations come from. */
function killLines(fixture: string): { pid: number; name: string; at: number; rssKb: number }[] {
  const text = readFileSync(`${KERNEL_CORPUS}${fixture}`, 'utf8');
  return [
    ...text.matchAll(
      /\[\s*(\d+\.\d+)\] Killed process (\d+) \(([^)]+)\).*anon-rss:(\d+)kB, file-rss:(\d+)kB/g,
    ),
  ].map((m) => ({
    at: Number(m[1]),
    pid: Number(m[2]),
    name: m[3] ?? '',
    rssKb: Number(m[4]) + Number(m[5]),
  }));
}

describe('a burst of one pool’s workers', () => {
  const lines = killLines(SIX_WORKERS);

  it('is read from the kill lines: every pid once, the span between the first and the last kernel stamp', () => {
    expect(lines).toHaveLength(6);
    const burst = workerBurstOf(incidentOfAll(SIX_WORKERS).kills, 'apache2');
    expect(burst?.pids).toEqual(lines.map((line) => line.pid));
    const first = lines[0]?.at ?? 0;
    const last = lines.at(-1)?.at ?? 0;
    expect(burst?.spanMs).toBeCloseTo((last - first) * 1000, 0);
    expect(burst?.rssKb).toEqual(lines.map((line) => line.rssKb));
  });

  it('says so in the message instead of a "6th kill ... RSS at kill" history of one process', () => {
    const text = describeRecurrence(incidentOfAll(SIX_WORKERS));
    const minutes = Math.round(((lines.at(-1)?.at ?? 0) - (lines[0]?.at ?? 0)) / 60);
    expect(text).toBe(
      `6 different apache2 processes killed here within ${minutes} min (pids ${lines.map((l) => l.pid).join(', ')}): a pool's workers, not one process's history`,
    );
  });

  it('is a worker pool to size, never a leak', () => {
    const analysis = analyzeIncident(incidentOfAll(SIX_WORKERS), null);
    expect(findingOf(analysis, 'memory-leak')).toBeUndefined();
    const pool = findingOf(analysis, 'process-storm');
    expect(pool?.title).toBe(
      '6 apache2 workers killed one after another: the pool is sized for more memory than there is',
    );
    expect(evidenceTexts(pool)[0]).toContain(`pids ${lines.map((l) => l.pid).join(', ')}`);
    expect(adviceText(pool?.recommendation)).toContain('`MaxRequestWorkers`');
  });

  it('needs three different processes within 15 minutes', () => {
    const incident = incidentOfAll(SIX_WORKERS);
    expect(workerBurstOf(incident.kills.slice(0, 2), 'apache2')).toBeNull();
    const spread = incident.kills.map((kill, i) => ({
      ...kill,
      kernelTime: (kill.kernelTime ?? 0) + i * 600,
    }));
    expect(workerBurstOf(spread, 'apache2')).toBeNull();
    expect(workerBurstOf(incident.kills, 'mysqld')).toBeNull();
  });
});

describe('a kill the kernel printed twice (memory.oom.group)', () => {
  it('counts once: no "2nd kill of node here"', () => {
    const incident = incidentOfAll(OOM_GROUP_TWICE);
    // The report holds two `Killed process 22609 (node)` lines 10 ms apart, and the parser keeps both.
    expect(incident.kills.map((kill) => kill.pid)).toEqual([22609, 22609]);
    expect(distinctKillsOf(incident.kills, 'node')).toHaveLength(1);
    expect(describeRecurrence(incident)).toBeNull();
  });
});

describe('an earlier incident’s burst of workers, in the history of the next one', () => {
  const lines = killLines(SIX_WORKERS);
  const start = Date.parse('2026-11-25T09:00:00Z');
  // The six kills as the store keeps them for the first incident: its pids and sizes, at the kernel's spacing.
  const history = lines.map((line) => ({
    incidentId: 'oom-20261125T090000-0a1b2c3d4e5f6071',
    time: new Date(start + (line.at - (lines[0]?.at ?? 0)) * 1000).toISOString(),
    pid: line.pid,
    rssKb: line.rssKb,
  }));

  it('counts as one event, its workers’ sizes as no one’s history', () => {
    const incident = { ...incidentFrom(SIX_WORKERS), history };
    const single = { ...incident, kills: incident.kills.slice(0, 1), killCount: 1 };
    expect(describeRecurrence(single)).toBe(
      `apache2 killed here 2 times in 24 h, a burst of ${lines.length} workers counted once`,
    );
    expect(findingOf(analyzeIncident(single, null), 'memory-leak')).toBeUndefined();
  });

  it('keeps an earlier incident of one process as its own kill, with its size', () => {
    const [first] = history;
    if (!first) throw new Error('corpus changed');
    const incident = { ...incidentFrom(SIX_WORKERS), history: [first] };
    const single = { ...incident, kills: incident.kills.slice(0, 1), killCount: 1 };
    expect(describeRecurrence(single)).toMatch(/^2nd kill of apache2 here/);
  });
});
