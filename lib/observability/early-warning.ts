import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, CfnAlarm, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CONTRIBUTOR_STATE_CHANGE,
  CONTRIBUTOR_STATE_SOURCE,
} from '../../functions/core/pressure/contributor-event';
import { AGENT_METRICS, AGENT_NAMESPACE } from '../log-shipping/memory-metrics';
import { acknowledge } from '../nag';
import type { EarlyWarningThresholds } from '../oom-responder-props';

export interface EarlyWarningProps {
  readonly thresholds: EarlyWarningThresholds;
  /** Where on-call hears which instance is under pressure. */
  readonly topic: ITopic;
  /**
   * Where EventBridge puts a warning it could not publish: the pipeline's alarmed dead-letter queue (its key
   * already lets EventBridge write, for the rule of failed responses).
   */
  readonly deadLetters: IQueue;
}

/** One early-warning alarm: which agent metric, which way is bad, and the Metrics Insights statistic for it. */
interface Watch {
  readonly id: string;
  readonly name: string;
  readonly metric: string;
  readonly threshold: number;
  readonly comparison: 'LessThanOrEqualToThreshold' | 'GreaterThanOrEqualToThreshold';
  readonly what: string;
}

/**
 * The fleet's memory-pressure alarms, one per metric, each watching every instance at once: a Metrics Insights
 * query `... FROM "CWAgent" GROUP BY InstanceId` makes every instance a contributor with its own state, so a new
 * instance is watched without a new alarm, and each contributor that goes into ALARM is its own event naming its
 * instance ("CloudWatch Alarm Contributor State Change", `detail.alarmContributor.attributes.InstanceId`; CloudWatch
 * User Guide, "Alarm events and EventBridge", and "Acting on alarm changes" for what runs per contributor).
 *
 * The statistic is the worst of the minute (MIN of available memory, MAX of swap use) and the query is ordered
 * worst first: a Metrics Insights query returns at most 500 time series, and with ORDER BY those are the 500
 * lowest or highest ("Metrics Insights quotas"), so in a larger fleet the ones it keeps are the instances closest
 * to a kill. At most 100 contributors of one alarm are in ALARM at once (alarm "Limits").
 *
 * The rule below is the hook for the response workflow's pressure mode; until that exists it tells on-call, on the
 * topic, which instance crossed which threshold. The alarms themselves have no SNS action: that would add a
 * second message per contributor, and one for the alarm as a whole ("3 of 40 time series"), to the same topic.
 */
export class EarlyWarning extends Construct {
  readonly alarms: IAlarm[] = [];
  /** Contributor state changes into ALARM of these alarms: add the pressure workflow here as a target. */
  readonly contributorInAlarm: Rule;

  constructor(scope: Construct, id: string, props: EarlyWarningProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const stackName = stack.stackName;
    const watches: Watch[] = [
      {
        id: 'AvailableMemoryLow',
        name: `${stackName}-AvailableMemoryLow`,
        metric: AGENT_METRICS.memAvailablePercent,
        threshold: props.thresholds.memAvailablePercent,
        comparison: 'LessThanOrEqualToThreshold',
        what: `available memory at or below ${props.thresholds.memAvailablePercent}%`,
      },
      {
        id: 'SwapUseHigh',
        name: `${stackName}-SwapUseHigh`,
        metric: AGENT_METRICS.swapUsedPercent,
        threshold: props.thresholds.swapUsedPercent,
        comparison: 'GreaterThanOrEqualToThreshold',
        what: `swap use at or above ${props.thresholds.swapUsedPercent}%`,
      },
    ];
    const arns = watches.map((watch) => this.alarm(watch));
    const ruleName = `${stackName}-MemoryPressureContributor`;
    this.contributorInAlarm = new Rule(this, 'ContributorInAlarm', {
      ruleName,
      description:
        'OOM Responder: an instance crossed an early-warning memory threshold (a contributor of a memory-pressure alarm went into ALARM)',
      eventPattern: {
        source: [CONTRIBUTOR_STATE_SOURCE],
        detailType: [CONTRIBUTOR_STATE_CHANGE],
        resources: arns,
        detail: { state: { value: ['ALARM'] } },
      },
    });
    // EventBridge publishes with a role of this rule's own, so the topic and key policies stay as they are. Only
    // this rule of this account may assume it (confused deputy); its name is fixed so that the trust policy can
    // name it without a reference cycle between the rule and its target's role.
    const publisher = new Role(this, 'PublishRole', {
      description: 'OOM Responder: lets the memory-pressure rule publish its early warnings to the topic',
      assumedBy: new ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: {
            'aws:SourceArn': stack.formatArn({
              service: 'events',
              resource: 'rule',
              resourceName: ruleName,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          },
        },
      }),
    });
    acknowledge(
      publisher,
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Granted by CDK (grantPublish) for the KMS-encrypted topic; limited to the topic key',
    );
    this.contributorInAlarm.addTarget(
      new SnsTopic(props.topic, {
        message: RuleTargetInput.fromText(
          `OOM Responder early warning: ${EventField.fromPath('$.detail.alarmContributor.attributes.InstanceId')} ` +
            `is under memory pressure (${EventField.fromPath('$.detail.alarmName')}, since ${EventField.fromPath('$.detail.state.timestamp')}): ` +
            `${EventField.fromPath('$.detail.state.reason')} An OOM kill may follow; the instance's memory and swap are in the CloudWatch agent metrics (namespace ${AGENT_NAMESPACE}, dimension InstanceId).`,
        ),
        role: publisher,
        // A warning an hour late is stale: the metrics and the next kill's own message say more by then.
        maxEventAge: Duration.hours(1),
        retryAttempts: 20,
        deadLetterQueue: props.deadLetters,
      }),
    );
  }

  private alarm(watch: Watch): string {
    const statistic = watch.comparison === 'LessThanOrEqualToThreshold' ? 'MIN' : 'MAX';
    const order = watch.comparison === 'LessThanOrEqualToThreshold' ? 'ASC' : 'DESC';
    const alarm = new CfnAlarm(this, watch.id, {
      alarmName: watch.name,
      alarmDescription: `OOM Responder early warning: an instance's ${watch.what} (CloudWatch agent ${watch.metric}, 2 of 3 minutes); each instance is a contributor of its own, and an OOM kill may follow`,
      comparisonOperator: watch.comparison,
      threshold: watch.threshold,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
      metrics: [
        {
          id: 'perInstance',
          expression: `SELECT ${statistic}(${watch.metric}) FROM "${AGENT_NAMESPACE}" GROUP BY InstanceId ORDER BY ${statistic}() ${order}`,
          period: 60,
          returnData: true,
        },
      ],
    });
    this.alarms.push(Alarm.fromAlarmArn(this, `${watch.id}Ref`, alarm.attrArn));
    return alarm.attrArn;
  }
}
