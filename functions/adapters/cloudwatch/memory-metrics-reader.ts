import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type {
  MemoryMetricName,
  MemoryMetricsReader,
  MemorySeries,
  MemorySeriesQuery,
} from '../../core/metrics/memory-series';

/** The agent's default namespace, where the stack's agent configurations publish (lib/log-shipping/memory-metrics.ts). */
const AGENT_NAMESPACE = 'CWAgent';
const DEFAULT_PERIOD_SECONDS = 60;
/** GetMetricData returns at most 100,800 datapoints per call; a page holds far fewer for an hour at 60 s. */
const MAX_PAGES = 5;

/**
 * GetMetricData with one MetricStat per metric: `CWAgent`, the metric, the dimension `InstanceId` alone (the
 * agent's `append_dimensions` replaces its default `host` dimension, so this is the exact dimension set), the
 * period's average. One call for every metric asked, paged by NextToken. `cloudwatch:GetMetricData` has no
 * resource-level permissions (Service Authorization Reference, Amazon CloudWatch: resource type "*").
 */
export class CloudWatchMemoryMetricsReader implements MemoryMetricsReader {
  constructor(private readonly client: CloudWatchClient) {}

  async read(query: MemorySeriesQuery, options: { signal?: AbortSignal } = {}): Promise<MemorySeries[]> {
    const periodSeconds = query.periodSeconds ?? DEFAULT_PERIOD_SECONDS;
    const ids = new Map<string, MemoryMetricName>(
      query.metrics.map((metric, index) => [`m${index}`, metric]),
    );
    const queries: MetricDataQuery[] = [...ids].map(([id, metric]) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: AGENT_NAMESPACE,
          MetricName: metric,
          Dimensions: [{ Name: 'InstanceId', Value: query.instanceId }],
        },
        Period: periodSeconds,
        Stat: 'Average',
      },
      ReturnData: true,
    }));
    const points = new Map<string, { at: string; value: number }[]>([...ids.keys()].map((id) => [id, []]));
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const result = await this.client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: query.from,
          EndTime: query.to,
          ScanBy: 'TimestampAscending',
          NextToken: nextToken,
        }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      for (const series of result.MetricDataResults ?? []) {
        const into = series.Id === undefined ? undefined : points.get(series.Id);
        if (!into) continue;
        const timestamps = series.Timestamps ?? [];
        const values = series.Values ?? [];
        for (let i = 0; i < Math.min(timestamps.length, values.length); i += 1) {
          const at = timestamps[i];
          const value = values[i];
          if (at === undefined || value === undefined || !Number.isFinite(value)) continue;
          into.push({ at: at.toISOString(), value });
        }
      }
      nextToken = result.NextToken;
      if (!nextToken) break;
    }
    return [...ids].map(([id, metric]) => ({
      metric,
      instanceId: query.instanceId,
      periodSeconds,
      // Pages and ScanBy keep the order, but a page boundary may split a timestamp: sort and drop repeats.
      points: dedupeSorted(points.get(id) ?? []),
    }));
  }
}

function dedupeSorted(points: { at: string; value: number }[]): { at: string; value: number }[] {
  const sorted = [...points].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return sorted.filter((point, index) => index === 0 || sorted[index - 1]?.at !== point.at);
}
