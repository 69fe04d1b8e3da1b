import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../../functions/core/incident/model';
import { describeRecurrence, ordinal, rssTrend } from '../../../../functions/core/render/recurrence';
import { corpusKill, incidentFor, withHistory } from './scenarios';

const JAVA = 'legacy/rhel6-2.6.32-642-global-java-full-syslog.log';

describe('describeRecurrence', () => {
  it('counts earlier kills of the process here in 24 h and shows RSS at kill growing', async () => {
    expect(describeRecurrence(withHistory(incidentFor(await corpusKill(JAVA))))).toBe(
      '3rd kill of java here in 24 h; RSS at kill 2.1 -> 2.6 -> 3.4 GiB (growing)',
    );
  });

  it('says nothing for a first kill', async () => {
    expect(describeRecurrence(incidentFor(await corpusKill(JAVA)))).toBeNull();
  });

  it('leaves kills older than a day out of the 24 h count', async () => {
    const incident: Incident = {
      ...incidentFor(await corpusKill(JAVA)),
      history: [
        { incidentId: 'a', time: '2026-05-10T03:00:00Z', pid: 1, rssKb: 1_048_576 },
        { incidentId: 'b', time: '2026-05-17T09:00:00Z', pid: 2, rssKb: 3_670_016 },
      ],
    };
    expect(describeRecurrence(incident)).toBe('2nd kill of java here in 24 h; RSS at kill 3.5 -> 3.4 GiB');
  });

  it('counts the same process killed again within this incident', async () => {
    const base = incidentFor(await corpusKill(JAVA));
    const first = base.kills[0];
    if (!first) throw new Error('no digest');
    const incident = {
      ...base,
      kills: [first, { ...first, key: 'k2', pid: 4242, rssKb: 4_000_000, time: '2026-05-17T17:09:00' }],
      killCount: 2,
    };
    expect(describeRecurrence(incident)).toBe('2nd kill of java here in 24 h; RSS at kill 3.4 -> 3.8 GiB');
  });
});

describe('rssTrend and ordinal', () => {
  it('shares one unit when all values have it, else keeps each', () => {
    expect(rssTrend([2_202_009, 2_726_297, 3_145_728])).toBe('2.1 -> 2.6 -> 3.0 GiB');
    expect(rssTrend([524_288, 2_097_152])).toBe('512 MiB -> 2.0 GiB');
    expect(rssTrend([1, null])).toBeNull();
  });

  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [102, '102nd'],
  ])('writes %i as %s', (n, text) => {
    expect(ordinal(n)).toBe(text);
  });
});
