import { describe, expect, it } from 'vitest';
import { formatMatrix, tally, verdict } from './fault-matrix';

describe('the fault matrix tally', () => {
  it('tells once, lost and duplicated apart, per channel', () => {
    const row = tally(
      'notify',
      'Slack 429',
      ['a', 'b', 'c', 'd'],
      [
        { channel: 'sns', incidentIds: ['a', 'b'] },
        { channel: 'slack', incidentIds: ['a'] },
        { channel: 'slack', incidentIds: ['b', 'c'] },
        { channel: 'slack', incidentIds: ['b'] },
      ],
    );
    expect(row).toMatchObject({ incidents: 4, once: 2, lost: 1, duplicated: 1 });
    expect(verdict(row)).toBe('1 lost, 1 duplicated');
    expect(verdict(tally('notify', 'none', ['a'], [{ channel: 'sns', incidentIds: ['a'] }]))).toBe('once');
  });

  it('prints a table a row per scenario', () => {
    const table = formatMatrix('## notify', [tally('notify', 'SNS 5xx', ['a'], [])]);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain('| notify | SNS 5xx | 1         | 0    | 1    | 0          | 1 lost  |');
  });
});
