import * as z from 'zod';
import {
  MEMORY_METRIC_NAMES,
  type MemoryMetricName,
  type MemoryMetricsReader,
  type MemorySeries,
  type MemorySeriesQuery,
} from '../../functions/core/metrics/memory-series';

/**
 * The instance's memory metrics for a replay, from a file instead of CloudWatch: what `aws cloudwatch
 * get-metric-data` prints (`MetricDataResults`, each named by its `Label` or `Id`: `mem_available_percent`,
 * `swap_used_percent`), or the series as the reader returns them (`[{metric, points: [{at, value}]}]`). Answers a
 * query as the CloudWatch reader does: the asked metrics, in the order asked, the points in `[from, to)` oldest first.
 */
const GetMetricDataOutput = z.object({
  MetricDataResults: z.array(
    z.object({
      Id: z.string().optional(),
      Label: z.string().optional(),
      Timestamps: z.array(z.string()),
      Values: z.array(z.number()),
    }),
  ),
});
const SeriesList = z.array(
  z.object({
    metric: z.enum(MEMORY_METRIC_NAMES),
    points: z.array(z.object({ at: z.string(), value: z.number() })),
  }),
);

export class MetricsFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsFileError';
  }
}

export class FileMetricsReader implements MemoryMetricsReader {
  private readonly points: ReadonlyMap<MemoryMetricName, { at: string; value: number }[]>;

  /** @throws MetricsFileError when the text is neither shape (said with what zod found). */
  constructor(text: string, name: string) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new MetricsFileError(`${name} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    this.points = pointsOf(json, name);
  }

  async read(query: MemorySeriesQuery): Promise<MemorySeries[]> {
    const from = query.from.getTime();
    const to = query.to.getTime();
    return query.metrics.map((metric) => ({
      metric,
      instanceId: query.instanceId,
      periodSeconds: query.periodSeconds ?? 60,
      points: (this.points.get(metric) ?? [])
        .filter((p) => {
          const at = Date.parse(p.at);
          return at >= from && at < to;
        })
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    }));
  }
}

function pointsOf(json: unknown, name: string): Map<MemoryMetricName, { at: string; value: number }[]> {
  const map = new Map<MemoryMetricName, { at: string; value: number }[]>();
  const output = GetMetricDataOutput.safeParse(json);
  if (output.success) {
    for (const result of output.data.MetricDataResults) {
      const metric = MEMORY_METRIC_NAMES.find((m) => m === result.Label || m === result.Id);
      if (!metric) continue;
      const points = result.Timestamps.flatMap((at, i) => {
        const value = result.Values[i];
        return value === undefined || Number.isNaN(Date.parse(at))
          ? []
          : [{ at: new Date(at).toISOString(), value }];
      });
      map.set(metric, [...(map.get(metric) ?? []), ...points]);
    }
    return map;
  }
  const list = SeriesList.safeParse(json);
  if (!list.success) {
    throw new MetricsFileError(
      `${name} is neither 'aws cloudwatch get-metric-data' output nor a list of series: ${list.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  for (const series of list.data)
    map.set(series.metric, [...(map.get(series.metric) ?? []), ...series.points]);
  return map;
}
