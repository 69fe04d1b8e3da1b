import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoNotificationStore } from '../adapters/dynamodb/notification-store';
import { cachedSecretString } from '../adapters/secrets/cached-secret';
import { WebhookSlackNotifier } from '../adapters/slack/webhook-notifier';
import { TopicPublisher } from '../adapters/sns/topic-publisher';
import { notifyIncident } from '../core/respond/notify-incident';
import { isPressureNotification, notifyPressure } from '../core/respond/notify-pressure';
import {
  isExecutionEndedEvent,
  notifyInvocationFromExecutionEnded,
  pressureInvocationFromExecutionEnded,
} from '../core/workflow/execution-ended';
import { readNotifyFunctionConfig } from './config';

// Composition root: configuration and clients once per container; the webhook URL is read on first use.
const config = readNotifyFunctionConfig(process.env);
const logger = new Logger({ serviceName: 'oom-responder-notify' });
const metrics = new Metrics({ namespace: 'OomResponder', serviceName: 'notify' });
const ports = {
  store: new DynamoNotificationStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    tableName: config.tableName,
  }),
  slack: config.slackWebhookSecret
    ? new WebhookSlackNotifier({
        webhookUrl: cachedSecretString(new SecretsManagerClient({}), config.slackWebhookSecret),
      })
    : null,
  sns: new TopicPublisher(new SNSClient({}), config.topicArn),
  telemetry: {
    info: (message: string, fields?: Record<string, unknown>) => logger.info(message, fields ?? {}),
    warn: (message: string, fields?: Record<string, unknown>) => logger.warn(message, fields ?? {}),
    count: (metric: string, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
  },
  now: () => new Date(),
};

/**
 * The workflow's last step: tell people, whatever happened before. Also the target of the rule on executions that
 * ended (failed, timed out, stopped) before this step completed: the same use case, which tells no one twice.
 */
export async function handler(event: unknown, context: Context) {
  logger.addContext(context);
  // Every send and wait of this invocation ends inside its own remaining time (notifyIncident keeps a margin).
  const invocation = { ...ports, remainingMs: () => context.getRemainingTimeInMillis() };
  try {
    if (isExecutionEndedEvent(event)) {
      const warning = pressureInvocationFromExecutionEnded(event);
      if (warning) {
        logger.warn('the pressure response ended before it notified', {
          executionArn: warning.executionArn,
          incidentId: warning.state.incidentId,
          failure: warning.state.failure,
        });
        return await notifyPressure(warning, invocation, config.notify);
      }
      const ended = notifyInvocationFromExecutionEnded(event);
      logger.warn('the response ended before it notified', {
        executionArn: ended.executionArn,
        incidentId: ended.state.incidentId,
        failure: ended.state.failure,
      });
      return await notifyIncident(ended, invocation, config.notify);
    }
    // A memory-pressure warning's state (`mode: 'pressure'`) has its own message, on the same delivery records.
    if (isPressureNotification(event)) return await notifyPressure(event, invocation, config.notify);
    return await notifyIncident(event, invocation, config.notify);
  } finally {
    metrics.publishStoredMetrics();
  }
}
