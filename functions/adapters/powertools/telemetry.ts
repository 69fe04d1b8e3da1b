import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DetectMetric, DetectTelemetry } from '../../core/detect/ports';

/** The use case's telemetry port on Powertools: JSON logs, and EMF metrics flushed by the handler. */
export function powertoolsTelemetry(logger: Logger, metrics: Metrics): DetectTelemetry {
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    count: (metric: DetectMetric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
  };
}
