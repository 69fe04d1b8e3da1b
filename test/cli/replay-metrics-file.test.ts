import { describe, expect, it } from 'vitest';
import { FileMetricsReader, MetricsFileError } from '../../cli/replay/metrics-file';

const query = {
  instanceId: 'i-0abc1234def567890',
  metrics: ['mem_available_percent', 'swap_used_percent'] as const,
  from: new Date('2026-11-25T03:00:00Z'),
  to: new Date('2026-11-25T03:03:00Z'),
};

describe('the series file of a pressure replay', () => {
  it("reads 'aws cloudwatch get-metric-data' output by label or id, in [from, to), oldest first", async () => {
    const reader = new FileMetricsReader(
      JSON.stringify({
        MetricDataResults: [
          {
            Id: 'm0',
            Label: 'mem_available_percent',
            // As the CLI prints it by default: newest first.
            Timestamps: [
              '2026-11-25T03:03:00Z',
              '2026-11-25T03:02:00Z',
              '2026-11-25T03:01:00Z',
              '2026-11-25T02:59:00Z',
            ],
            Values: [5, 6, 7, 9],
          },
          { Id: 'swap_used_percent', Timestamps: ['2026-11-25T03:01:00Z'], Values: [0] },
          { Id: 'm9', Label: 'CPUUtilization', Timestamps: ['2026-11-25T03:01:00Z'], Values: [99] },
        ],
      }),
      'metrics.json',
    );
    const [available, swap] = await reader.read(query);
    expect(available?.points).toEqual([
      { at: '2026-11-25T03:01:00.000Z', value: 7 },
      { at: '2026-11-25T03:02:00.000Z', value: 6 },
    ]);
    expect(swap).toMatchObject({
      metric: 'swap_used_percent',
      instanceId: query.instanceId,
      periodSeconds: 60,
    });
    expect(swap?.points).toEqual([{ at: '2026-11-25T03:01:00.000Z', value: 0 }]);
  });

  it('reads a list of series as the reader returns them, and answers no points for a metric it lacks', async () => {
    const reader = new FileMetricsReader(
      JSON.stringify([
        { metric: 'mem_available_percent', points: [{ at: '2026-11-25T03:02:00.000Z', value: 6 }] },
      ]),
      'series.json',
    );
    const [available, swap] = await reader.read(query);
    expect(available?.points).toEqual([{ at: '2026-11-25T03:02:00.000Z', value: 6 }]);
    expect(swap?.points).toEqual([]);
  });

  it('refuses what is not JSON or neither shape', () => {
    expect(() => new FileMetricsReader('{', 'a.json')).toThrow(MetricsFileError);
    expect(() => new FileMetricsReader('{"Datapoints": []}', 'b.json')).toThrow(
      "b.json is neither 'aws cloudwatch get-metric-data' output nor a list of series",
    );
  });
});
