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
import { readAnalyzeFunctionConfig } from './config';

// Composition root: configuration and clients once per container.
const config = readAnalyzeFunctionConfig(process.env);
const logger = new Logger({ serviceName: 'oom-responder-analyze' });
const store = new DynamoAnalysisStore({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  tableName: config.tableName,
});
// Only a deployment that publishes the memory metrics reads them (and only its role may).
const ports: AnalyzeIncidentPorts = config.analyze.memoryTimeline
  ? { memoryMetrics: new CloudWatchMemoryMetricsReader(new CloudWatchClient({})) }
  : {};

/** The workflow's analyze step: its state in, diagnostics outcome + analysis + ready-to-send plan out. */
export async function handler(event: unknown, context: Context): Promise<AnalyzeIncidentResult> {
  logger.addContext(context);
  const incidentId = (event as { incidentId?: unknown } | null)?.incidentId;
  logger.appendKeys({ incidentId: typeof incidentId === 'string' ? incidentId : null });
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
