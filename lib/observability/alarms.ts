import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarm, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EarlyWarningThresholds } from '../oom-responder-props';
import { EarlyWarning } from './early-warning';

export interface AlarmsProps {
  readonly topic: ITopic;
  readonly deadLetters: IQueue;
  readonly stateMachine: StateMachine;
  readonly detect: IFunction;
  readonly analyze: IFunction;
  readonly notify: IFunction;
  /** `undefined`: no early-warning alarms. */
  readonly earlyWarning: EarlyWarningThresholds | undefined;
}

/** The pipeline's own metrics, as the functions publish them (Powertools EMF, service dimension). */
export function pipelineMetric(metricName: string, service: string): Metric {
  return new Metric({
    namespace: 'OomResponder',
    metricName,
    dimensionsMap: { service },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
}

/**
 * Alarms to the topic when the pipeline itself is in trouble (events in the dead-letter queue, failed responses,
 * detector or notifier errors, malformed payloads, Slack refusing messages), and, unless turned off, early warnings
 * per instance from the CloudWatch agent's memory and swap metrics, before the OOM killer acts (`EarlyWarning`).
 */
export class Alarms extends Construct {
  readonly all: IAlarm[] = [];
  readonly earlyWarning: EarlyWarning | undefined;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const whenAny = (alarmId: string, description: string, metric: Metric): void => {
      const alarm = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      this.all.push(alarm);
    };
    whenAny(
      'DeadLetters',
      'OOM Responder: events are waiting in the dead-letter queue (the detector, the notifier of failed responses or the early-warning rule could not handle them after retries; read them to replay)',
      props.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }) as Metric,
    );
    whenAny(
      'FailedResponses',
      'OOM Responder: a response workflow failed (the notifier could not report an incident)',
      props.stateMachine.metricFailed({ period: Duration.minutes(5) }) as Metric,
    );
    whenAny(
      'TimedOutResponses',
      'OOM Responder: a response workflow timed out',
      props.stateMachine.metricTimedOut({ period: Duration.minutes(5) }) as Metric,
    );
    whenAny(
      'DetectorErrors',
      'OOM Responder: the detector failed (Lambda retries it)',
      props.detect.metricErrors({ period: Duration.minutes(5) }) as Metric,
    );
    whenAny(
      'AnalyzerErrors',
      'OOM Responder: the analysis failed',
      props.analyze.metricErrors({ period: Duration.minutes(5) }) as Metric,
    );
    whenAny(
      'NotifierErrors',
      'OOM Responder: the notifier failed',
      props.notify.metricErrors({ period: Duration.minutes(5) }) as Metric,
    );
    whenAny(
      'MalformedPayloads',
      'OOM Responder: the detector received payloads it could not decode (check the subscription filter destination)',
      pipelineMetric('MalformedPayloads', 'detect'),
    );
    whenAny(
      'SlackFailures',
      'OOM Responder: Slack refused or did not answer a notification (SNS still went out)',
      pipelineMetric('SlackDeliveryFailures', 'notify'),
    );
    this.earlyWarning = props.earlyWarning
      ? new EarlyWarning(this, 'EarlyWarning', { thresholds: props.earlyWarning })
      : undefined;
    this.all.push(...(this.earlyWarning?.alarms ?? []));
  }
}
