import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchMemoryMetricsReader } from '../../../../functions/adapters/cloudwatch/memory-metrics-reader';
import { skipped } from '../../../support/aws-tools';
import { type MotoServer, moto, startMoto } from '../../../support/moto-server';

// Real SDK client over real HTTP to moto server's CloudWatch: datapoints put as the agent puts them (CWAgent,
// InstanceId alone), read back per minute, oldest first; another instance's and another dimension set's points
// stay out.
describe.skipIf(!moto.path)(`CloudWatchMemoryMetricsReader on moto server${skipped(moto)}`, () => {
  let server: MotoServer;
  let client: CloudWatchClient;
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const minute = (n: number) => new Date(end.getTime() - n * 60_000);

  beforeAll(async () => {
    server = await startMoto();
    client = new CloudWatchClient(server.clientConfig);
    const put = (
      metric: string,
      instanceId: string,
      values: number[],
      extra: { Name: string; Value: string }[] = [],
    ) =>
      client.send(
        new PutMetricDataCommand({
          Namespace: 'CWAgent',
          MetricData: values.map((value, i) => ({
            MetricName: metric,
            Dimensions: [{ Name: 'InstanceId', Value: instanceId }, ...extra],
            Timestamp: minute(values.length - i),
            Value: value,
            Unit: 'Percent',
          })),
        }),
      );
    await put('mem_available_percent', 'i-0aaa', [40, 30, 20, 10]);
    await put('mem_available_percent', 'i-0bbb', [90, 90, 90, 90]);
    await put('mem_available_percent', 'i-0aaa', [99, 99], [{ Name: 'host', Value: 'ip-10-0-0-5' }]);
    await put('swap_used_percent', 'i-0aaa', [0, 5]);
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('reads each metric of the one instance, per period, oldest first', async () => {
    const series = await new CloudWatchMemoryMetricsReader(client).read({
      instanceId: 'i-0aaa',
      metrics: ['mem_available_percent', 'swap_used_percent'],
      from: minute(10),
      to: end,
    });
    expect(series.map((s) => [s.metric, s.instanceId, s.periodSeconds])).toEqual([
      ['mem_available_percent', 'i-0aaa', 60],
      ['swap_used_percent', 'i-0aaa', 60],
    ]);
    expect(series[0]?.points.map((p) => p.value)).toEqual([40, 30, 20, 10]);
    expect(series[0]?.points.map((p) => p.at)).toEqual([4, 3, 2, 1].map((n) => minute(n).toISOString()));
    expect(series[1]?.points.map((p) => p.value)).toEqual([0, 5]);
  });

  it('gives a series with no points for a metric the instance never sent', async () => {
    const series = await new CloudWatchMemoryMetricsReader(client).read({
      instanceId: 'i-0ccc',
      metrics: ['mem_available_percent'],
      from: minute(10),
      to: end,
    });
    expect(series).toEqual([
      { metric: 'mem_available_percent', instanceId: 'i-0ccc', periodSeconds: 60, points: [] },
    ]);
  });
});
