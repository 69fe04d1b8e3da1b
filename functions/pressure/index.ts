import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { BURST_TOLERANT_CLIENT_CONFIG } from '../adapters/aws-errors';
import { DynamoPressureStore } from '../adapters/dynamodb/pressure-store';
import { powertoolsTelemetry } from '../adapters/powertools/telemetry';
import { StepFunctionsWorkflowStarter } from '../adapters/sfn/workflow-starter';
import type { PressureMetric, PressurePorts } from '../core/pressure/ports';
import { respondToWarning, type WarningOutcome } from '../core/pressure/respond-to-warning';
import type { PressureWorkflowInput } from '../core/workflow/pressure-state';
import { readPressureFunctionConfig } from './config';

// Composition root: configuration and clients once per container, adapters over them, the use case per event.
const config = readPressureFunctionConfig(process.env);
const logger = new Logger({ serviceName: 'oom-responder-pressure' });
const metrics = new Metrics({ namespace: 'OomResponder', serviceName: 'pressure' });
const ports: PressurePorts = {
  store: new DynamoPressureStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient(BURST_TOLERANT_CLIENT_CONFIG)),
    tableName: config.tableName,
  }),
  workflow: new StepFunctionsWorkflowStarter<PressureWorkflowInput>({
    client: new SFNClient(BURST_TOLERANT_CLIENT_CONFIG),
    stateMachineArn: config.pressure.stateMachineArn,
  }),
  telemetry: powertoolsTelemetry<PressureMetric>(logger, metrics),
  now: () => new Date(),
};

/**
 * Invoked asynchronously by the memory-pressure rule, once per contributor that went into ALARM. What cannot be
 * answered is returned (and logged, counted); a store or Step Functions failure is thrown, so Lambda retries the
 * event and then keeps it in the dead-letter queue.
 */
export async function handler(event: unknown, context: Context): Promise<WarningOutcome> {
  logger.addContext(context);
  try {
    return await respondToWarning(event, ports, config.pressure);
  } catch (error) {
    logger.warn('the warning could not be answered; rethrowing so Lambda retries it', {
      errorName: (error as Error).name,
      reason: (error as Error).message,
    });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
