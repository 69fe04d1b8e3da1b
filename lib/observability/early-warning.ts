import { Stack } from 'aws-cdk-lib';
import { Alarm, CfnAlarm, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import {
  CONTRIBUTOR_STATE_CHANGE,
  CONTRIBUTOR_STATE_SOURCE,
} from '../../functions/core/pressure/contributor-event';
import { AGENT_METRICS, AGENT_NAMESPACE } from '../log-shipping/memory-metrics';
import type { EarlyWarningThresholds } from '../oom-responder-props';

export interface EarlyWarningProps {
  readonly thresholds: EarlyWarningThresholds;
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
 * The rule below is where the pressure response is attached (`PressureResponse`: the pressure function, which
 * records the warning with its cooldown and starts the pressure workflow). The alarms themselves have no SNS
 * action: that would add a message per contributor, and one for the alarm as a whole ("3 of 40 time series"),
 * beside the workflow's own warning.
 */
export class EarlyWarning extends Construct {
  readonly alarms: IAlarm[] = [];
  /** Contributor state changes into ALARM of these alarms: the pressure function is its target. */
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
