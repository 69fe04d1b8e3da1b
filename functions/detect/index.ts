import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { BURST_TOLERANT_CLIENT_CONFIG } from '../adapters/aws-errors';
import { DynamoKillRecorder } from '../adapters/dynamodb/kill-recorder';
import { Ec2InstanceDirectory } from '../adapters/ec2/instance-directory';
import {
  CloudWatchLogContextReader,
  GET_LOG_EVENTS_CLIENT_CONFIG,
} from '../adapters/logs/log-context-reader';
import { powertoolsTelemetry } from '../adapters/powertools/telemetry';
import { StepFunctionsWorkflowStarter } from '../adapters/sfn/workflow-starter';
import { ContextReadBudget } from '../core/detect/context-budget';
import type { DetectPorts } from '../core/detect/detect-batch';
import { readDetectFunctionConfig } from './config';
import { type DetectOutcome, handleSubscriptionEvent } from './handle-event';

// Composition root: configuration and clients once per container, adapters over them, the use case per event.
const config = readDetectFunctionConfig(process.env);
const logger = new Logger({ serviceName: 'oom-responder-detect' });
const metrics = new Metrics({ namespace: 'OomResponder', serviceName: 'detect' });
const logsClient = new CloudWatchLogsClient(GET_LOG_EVENTS_CLIENT_CONFIG);
const ports: Omit<DetectPorts, 'logs'> = {
  // No EC2 client yet: it is made (and its SDK loaded) at the first stream that does not name its instance.
  instances: new Ec2InstanceDirectory({ clientConfig: BURST_TOLERANT_CLIENT_CONFIG }),
  store: new DynamoKillRecorder({
    client: DynamoDBDocumentClient.from(new DynamoDBClient(BURST_TOLERANT_CLIENT_CONFIG)),
    tableName: config.tableName,
  }),
  workflow: new StepFunctionsWorkflowStarter({
    client: new SFNClient(BURST_TOLERANT_CLIENT_CONFIG),
    stateMachineArn: config.stateMachineArn,
  }),
  telemetry: powertoolsTelemetry(logger, metrics),
  now: () => new Date(),
};

export async function handler(event: unknown, context: Context): Promise<DetectOutcome> {
  logger.addContext(context);
  // The reads around kills are budgeted per invocation, against this invocation's deadline.
  const budget = new ContextReadBudget(config.contextReads, () => context.getRemainingTimeInMillis());
  const logs = new CloudWatchLogContextReader({ client: logsClient, budget });
  try {
    return await handleSubscriptionEvent(event, { ...ports, logs }, config.detect, config.maxDecodedBytes);
  } finally {
    metrics.publishStoredMetrics();
  }
}
