import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { CloudWatchMemoryMetricsReader } from '../adapters/cloudwatch/memory-metrics-reader';
import { DynamoAnalysisStore } from '../adapters/dynamodb/analysis-store';
import {
  type AnalyzeIncidentPorts,
  type AnalyzeIncidentResult,
  analyzeIncident,
} from '../core/respond/analyze-incident';
import { type AnalyzePressureResult, analyzePressureWarning } from '../core/respond/analyze-pressure';
import { isPressureState } from '../core/workflow/pressure-state';
import { readAnalyzeFunctionConfig } from './config';

// Composition root: configuration and clients once per container.
const config = readAnalyzeFunctionConfig(process.env);
const logger = new Logger({ serviceName: 'oom-responder-analyze' });
const store = new DynamoAnalysisStore({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  tableName: config.tableName,
});
// One reader (its client makes no call until asked). A kill's timeline is read only by a deployment that
// publishes the memory metrics (and only its role may); a pressure warning exists only in such a deployment.
const metrics = new CloudWatchMemoryMetricsReader(new CloudWatchClient({}));
const ports: AnalyzeIncidentPorts = config.analyze.memoryTimeline ? { memoryMetrics: metrics } : {};

/**
 * The workflow's analyze step: its state in, diagnostics outcome + analysis + ready-to-send plan out. A kill's
 * state and a memory-pressure warning's (`mode: 'pressure'`) take their own use case.
 */
export async function handler(
  event: unknown,
  context: Context,
): Promise<AnalyzeIncidentResult | AnalyzePressureResult> {
  logger.addContext(context);
  const incidentId = (event as { incidentId?: unknown } | null)?.incidentId;
  logger.appendKeys({ incidentId: typeof incidentId === 'string' ? incidentId : null });
  if (isPressureState(event)) {
    const result = await analyzePressureWarning(event, { store, metrics }, config.analyze, new Date());
    logger.info('analyzed a memory-pressure warning', {
      diagnostics: result.diagnostics.status,
      metrics: result.analysis.metrics.status,
      exhaustionMinutes: result.analysis.exhaustion?.minutes ?? null,
      grower: result.analysis.grower?.comm ?? null,
      confirmed: result.analysis.host.confirmation.status,
      planned: result.steps.map((step) => `${step.action}${step.dryRun ? ' (dry run)' : ''}`),
    });
    return result;
  }
  const result = await analyzeIncident(event, store, config.analyze, new Date(), ports);
  logger.info('analyzed', {
    diagnostics: result.diagnostics.status,
    likelyCause: result.analysis.likelyCause?.family ?? null,
    confidence: result.analysis.likelyCause?.confidence ?? null,
    planned: result.steps.map((step) => `${step.action}${step.dryRun ? ' (dry run)' : ''}`),
    skipped: result.analysis.plan.skipped.map((s) => s.action),
    memoryTimeline:
      result.memoryTimeline.status === 'unreadable'
        ? `unreadable: ${result.memoryTimeline.error}`
        : result.memoryTimeline.status,
  });
  return result;
}
