import { drillReportLines } from '../../functions/core/drill/drill-report';
import { drillIncidentKey, drillStreamName } from './run-drill';

/** What a drill would do, call by call, without calling AWS (`--dry-run`). */
export function drillPlan(options: {
  drillId: string;
  stackName: string;
  instanceId: string | null;
  region: string | null;
}): string {
  const stream = drillStreamName(options.drillId, options.instanceId);
  const key = drillIncidentKey(stream, options.instanceId, options.drillId);
  const lines = [
    `oom-responder drill (dry run: no AWS call is made) drill id ${options.drillId}, stack ${options.stackName}, Region ${options.region ?? '(the SDK default)'}`,
    'read:',
    `  cloudformation:DescribeStacks, ListStackResources  ${options.stackName} (outputs KernelLogGroup, StateMachineArn, NotificationTopicArn, InstanceTag; the table and alarms)`,
    options.instanceId
      ? `  ec2:DescribeInstances  ${options.instanceId} (must carry the stack's instance tag)`
      : '  (no instance: the stream resolves to no instance)',
    'write:',
    `  logs:CreateLogStream, PutLogEvents  <KernelLogGroup>, stream ${stream}, these lines:`,
    ...drillReportLines({ drillId: options.drillId }).map((line) => `    ${line}`),
    'follow:',
    `  dynamodb:Query, GetItem  <table> index gsi2, incidents of ${key} (the drill's incident, its notification record)`,
    "  states:DescribeExecution, GetExecutionHistory  the incident's execution, stage by stage",
    'alarm delivery:',
    "  cloudwatch:SetAlarmState  <the stack's first alarm> ALARM, then OK",
    '  cloudwatch:DescribeAlarmHistory  its Action items (succeeded, or the failure and its cause)',
  ];
  return `${lines.join('\n')}\n`;
}
