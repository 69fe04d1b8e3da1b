import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoAnalysisStore } from '../adapters/dynamodb/analysis-store';
import { type AnalyzeIncidentResult, analyzeIncident } from '../core/respond/analyze-incident';
import { readAnalyzeFunctionConfig } from './config';

// Composition root: configuration and clients once per container.
const config = readAnalyzeFunctionConfig(process.env);
const logger = new Logger({ serviceName: 'oom-responder-analyze' });
const store = new DynamoAnalysisStore({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  tableName: config.tableName,
});

/** The workflow's analyze step: its state in, diagnostics outcome + analysis + ready-to-send plan out. */
export async function handler(event: unknown, context: Context): Promise<AnalyzeIncidentResult> {
  logger.addContext(context);
  const incidentId = (event as { incidentId?: unknown } | null)?.incidentId;
  logger.appendKeys({ incidentId: typeof incidentId === 'string' ? incidentId : null });
  const result = await analyzeIncident(event, store, config.analyze, new Date());
  logger.info('analyzed', {
    diagnostics: result.diagnostics.status,
    likelyCause: result.analysis.likelyCause?.family ?? null,
    confidence: result.analysis.likelyCause?.confidence ?? null,
    planned: result.steps.map((step) => `${step.action}${step.dryRun ? ' (dry run)' : ''}`),
    skipped: result.analysis.plan.skipped.map((s) => s.action),
  });
  return result;
}
