import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { formatKiB } from '../../../../functions/core/format/bytes';
import { KERNEL_CORPUS } from '../../../support/corpus';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, evidenceTexts, findingOf, incidentFrom } from './incidents';

// A real host-wide kill of tidb-server (RSS 29.9 GiB at the kill, 2026-03-14T16:55:03) on a 32 GiB host.
const TIDB = 'legacy/rhel7-3.10.0-1160-global-tidb-uid-syslog.log';
const AFTER_TIDB = '2026-03-14T17:02:00Z';
const r5xlarge = diagnostics({
  instanceType: 'r5.xlarge',
  cpuCount: 4,
  memory: { totalKb: 32_498_040, availableKb: 30_112_004 },
});

function tidbWithHistory(history: { time: string; rssKb: number | null }[]) {
  return incidentFrom(TIDB, {
    instance: { instanceType: 'r5.xlarge' },
    history: history.map((kill, i) => ({
      incidentId: `oom-prior-${i}`,
      time: kill.time,
      pid: 21000 + i,
      rssKb: kill.rssKb,
    })),
  });
}

describe('the memory-leak finding', () => {
  it('reports RSS growing at each kill of the same process as a likely leak, the likely cause', () => {
    const incident = tidbWithHistory([
      { time: '2026-03-13T14:40:00Z', rssKb: 24_536_000 },
      { time: '2026-03-14T02:10:00Z', rssKb: 28_311_552 },
    ]);
    const analysis = analyzeIncident(incident, r5xlarge, { now: AFTER_TIDB });
    const leak = findingOf(analysis, 'memory-leak');

    expect(analysis.likelyCause?.family).toBe('memory-leak');
    expect(leak?.confidence).toBe(0.69);
    expect(leak?.title).toBe(
      'tidb-server keeps growing until it is killed: likely a memory leak (3 kills on this instance)',
    );
    expect(evidenceTexts(leak)).toEqual([
      'RSS at kill grew 23 GiB -> 27 GiB -> 30 GiB over 3 kills in 26 h',
      'none of the 3 kills was more than 5% smaller than the one before',
      'about 252 MiB per hour between the first and the last kill',
    ]);
    expect(adviceText(leak?.recommendation)).toContain('pmap -x <pid>');
    expect(adviceText(leak?.recommendation)).toContain('MemoryMax=23744M');
    expect(adviceText(leak?.recommendation)).toContain('Restart=on-failure');
  });

  it('grows more confident with every further kill that shows growth', () => {
    const incident = tidbWithHistory([
      { time: '2026-03-12T09:00:00Z', rssKb: 19_200_000 },
      { time: '2026-03-13T14:40:00Z', rssKb: 24_536_000 },
      { time: '2026-03-14T02:10:00Z', rssKb: 28_311_552 },
    ]);
    const leak = findingOf(analyzeIncident(incident, null, { now: AFTER_TIDB }), 'memory-leak');
    expect(leak?.confidence).toBe(0.82);
    expect(evidenceTexts(leak)[0]).toBe(
      'RSS at kill grew 18 GiB -> 23 GiB -> 27 GiB -> 30 GiB over 4 kills in 2.3 d',
    );
  });

  it('reads two kills as a leak only when the second is at least 20% larger', () => {
    const small = findingOf(
      analyzeIncident(tidbWithHistory([{ time: '2026-03-14T02:10:00Z', rssKb: 28_311_552 }]), null, {
        now: AFTER_TIDB,
      }),
      'memory-leak',
    );
    const large = findingOf(
      analyzeIncident(tidbWithHistory([{ time: '2026-03-14T02:10:00Z', rssKb: 24_536_000 }]), null, {
        now: AFTER_TIDB,
      }),
      'memory-leak',
    );
    expect(small).toBeUndefined();
    expect(large?.confidence).toBe(0.49);
  });

  it('reports repeated kills at a steady size as weaker evidence: the process needs more than it gets', () => {
    // A real kill of `stress` at its docker container's 1 GiB limit: RSS at kill cannot grow past the limit.
    const incident = incidentFrom('legacy/docker-3.10-memcg-stress-no-timestamps.log', {
      history: [
        { incidentId: 'oom-a', time: '2026-11-25T09:12:00Z', pid: 3101, rssKb: 1_047_900 },
        { incidentId: 'oom-b', time: '2026-11-25T13:40:00Z', pid: 3388, rssKb: 1_048_020 },
      ],
    });
    const leak = findingOf(analyzeIncident(incident, diagnostics()), 'memory-leak');
    expect(leak?.confidence).toBe(0.2);
    expect(leak?.title).toBe(
      'stress was killed 3 times on this instance in 8 h: it needs more than it gets, or leaks up to a limit',
    );
    // The report's v1 stats line (`rss:1048388KB`) against its `memory: usage 1048576kB`, as the kernel printed them.
    const text = readFileSync(`${KERNEL_CORPUS}legacy/docker-3.10-memcg-stress-no-timestamps.log`, 'utf8');
    const rssKb = Number(/Memory cgroup stats for \S+ .*\brss:(\d+)KB/.exec(text)?.[1]);
    const usageKb = Number(/memory: usage (\d+)kB/.exec(text)?.[1]);
    expect(evidenceTexts(leak)).toEqual([
      'killed 3 times in 8 h; RSS at kill stayed between 1023 MiB and 1024 MiB',
      'its RSS at kill did not grow: a leak would show as growth, unless a limit caps it',
      `the report's breakdown at this kill: anon ${formatKiB(rssKb)} of ${formatKiB(usageKb)} charged (${Math.round((rssKb / usageKb) * 100)}%): anonymous memory filled it`,
    ]);
    // In a container the fix is the container's limit, not a systemd drop-in.
    expect(adviceText(leak?.recommendation)).toContain('docker update --memory');
  });

  it('says nothing from a single kill, or from history entries of this very incident', () => {
    const alone = incidentFrom(TIDB);
    expect(findingOf(analyzeIncident(alone, null, { now: AFTER_TIDB }), 'memory-leak')).toBeUndefined();
    const echoed = {
      ...alone,
      history: [{ incidentId: alone.id, time: '2026-03-14T16:55:03Z', pid: 21945, rssKb: 20_000_000 }],
    };
    expect(findingOf(analyzeIncident(echoed, null, { now: AFTER_TIDB }), 'memory-leak')).toBeUndefined();
  });

  it('does not call shrinking RSS a leak', () => {
    const incident = tidbWithHistory([
      { time: '2026-03-13T14:40:00Z', rssKb: 31_900_000 },
      { time: '2026-03-14T02:10:00Z', rssKb: 24_536_000 },
    ]);
    const leak = findingOf(analyzeIncident(incident, null, { now: AFTER_TIDB }), 'memory-leak');
    expect(leak?.title).toContain('was killed 3 times');
    expect(leak?.confidence).toBe(0.2);
  });

  it('counts a later kill of the same process that joined the incident', () => {
    const incident = tidbWithHistory([{ time: '2026-03-13T14:40:00Z', rssKb: 24_536_000 }]);
    const first = incident.kills[0];
    if (!first) throw new Error('the incident has its first kill');
    const joined = {
      ...incident,
      kills: [first, { ...first, key: 'again', time: '2026-03-14T16:58:40', pid: 22010, rssKb: 31_400_000 }],
      killCount: 2,
    };
    const leak = findingOf(analyzeIncident(joined, null, { now: AFTER_TIDB }), 'memory-leak');
    expect(evidenceTexts(leak)[0]).toBe('RSS at kill grew 23 GiB -> 30 GiB -> 30 GiB over 3 kills in 26 h');
  });
});
