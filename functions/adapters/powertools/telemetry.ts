import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DetectMetric } from '../../core/detect/ports';

/** Logs and counts, the telemetry port every use case takes, named by its own metrics. */
export interface Telemetry<Metric extends string> {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  count(metric: Metric, value?: number): void;
}

/** The use case's telemetry port on Powertools: JSON logs, and EMF metrics flushed by the handler. */
export function powertoolsTelemetry<Metric extends string = DetectMetric>(
  logger: Logger,
  metrics: Metrics,
): Telemetry<Metric> {
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    count: (metric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
  };
}
