import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard as CloudWatchDashboard,
  GraphWidget,
  type IAlarm,
  LogQueryWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { pipelineMetric } from './alarms';

export interface DashboardProps {
  readonly stateMachine: StateMachine;
  readonly detectLogGroup: ILogGroup;
  readonly notifyLogGroup: ILogGroup;
  readonly alarms: IAlarm[];
}

/**
 * One page for the pipeline: kills and incidents over time, kills by instance and by process (from the detector's
 * structured logs, so a large fleet does not become thousands of custom metrics), workflow outcomes, remediation
 * results, and the alarms' states.
 */
export class Dashboard extends Construct {
  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const dashboard = new CloudWatchDashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Kills and incidents',
        width: 12,
        left: ['KillsDetected', 'IncidentsOpened', 'JoinedKills', 'DuplicateKills', 'UnresolvedHosts'].map(
          (name) => pipelineMetric(name, 'detect').with({ label: name }),
        ),
      }),
      new GraphWidget({
        title: 'Response workflow outcomes',
        width: 12,
        left: [
          props.stateMachine.metricSucceeded({ label: 'succeeded' }),
          props.stateMachine.metricFailed({ label: 'failed' }),
          props.stateMachine.metricTimedOut({ label: 'timed out' }),
        ],
      }),
    );
    dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Kills by instance and process',
        width: 12,
        logGroupNames: [props.detectLogGroup.logGroupName],
        queryLines: [
          'fields instanceId, process',
          "filter message = 'opened an incident' or message = 'recorded kills on an open incident'",
          'stats sum(kills) as kills, count(*) as batches by instanceId, process',
          'sort kills desc',
          'limit 50',
        ],
      }),
      new GraphWidget({
        title: 'Remediation results',
        width: 12,
        left: [
          'RemediationDone',
          'RemediationAlreadyOk',
          'RemediationDryRun',
          'RemediationRefused',
          'RemediationFailed',
        ].map((name) => pipelineMetric(name, 'notify').with({ label: name.replace('Remediation', '') })),
      }),
    );
    dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Latest incidents',
        width: 12,
        logGroupNames: [props.notifyLogGroup.logGroupName],
        queryLines: [
          'fields @timestamp, incidentId, instanceId, process, likelyCause',
          "filter message = 'notified'",
          'sort @timestamp desc',
          'limit 20',
        ],
      }),
      new AlarmStatusWidget({ title: 'Alarms', width: 12, alarms: props.alarms }),
    );
  }
}
