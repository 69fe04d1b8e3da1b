import { PassThrough } from 'node:stream';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { drillCommand } from '../../../cli/commands/drill';
import type { DrillClients } from '../../../cli/drill/aws-drill-ports';
import { parseKernelLog } from '../../../functions/core/kernel-log';
import { runMain } from '../../support/run-cli';
import { fakeClock } from './fake-account';

/**
 * The command end to end over the SDK adapter, every AWS call answered by aws-sdk-client-mock as the services
 * answer it: the commands sent are asserted, and the table's incident item is built from the lines the drill wrote.
 */
const START = Date.UTC(2026, 11, 4, 20, 15);
const INSTANCE = 'i-0123456789abcdef0';
const LOG_GROUP = 'OomResponder-KernelLogs';
const TABLE = 'OomResponder-StorageTable-1ABC';
const ALARM = 'OomResponder-DetectErrors-XYZ';
const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:Response:inc-1';

const clients: DrillClients = {
  cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
  cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
  logs: new CloudWatchLogsClient({ region: 'us-east-1' }),
  ec2: new EC2Client({ region: 'us-east-1' }),
  sfn: new SFNClient({ region: 'us-east-1' }),
  dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
};
const cfn = mockClient(clients.cloudFormation);
const cw = mockClient(clients.cloudWatch);
const logs = mockClient(clients.logs);
const ec2 = mockClient(clients.ec2);
const sfn = mockClient(clients.sfn);
const dynamo = mockClient(clients.dynamo);

let writtenLines: string[] = [];
const slackRecord = { status: 'sent', detail: null as string | null };

function notFound(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

beforeEach(() => {
  for (const mock of [cfn, cw, logs, ec2, sfn, dynamo]) mock.reset();
  writtenLines = [];
  slackRecord.status = 'sent';
  slackRecord.detail = null;
  cfn.on(DescribeStacksCommand, { StackName: 'OomResponder' }).resolves({
    Stacks: [
      {
        StackName: 'OomResponder',
        CreationTime: new Date(START),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'KernelLogGroup', OutputValue: LOG_GROUP },
          {
            OutputKey: 'StateMachineArn',
            OutputValue: 'arn:aws:states:us-east-1:111122223333:stateMachine:R',
          },
          { OutputKey: 'NotificationTopicArn', OutputValue: 'arn:aws:sns:us-east-1:111122223333:oom' },
          { OutputKey: 'InstanceTag', OutputValue: 'team=oom' },
        ],
      },
    ],
  });
  cfn.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      summary('AWS::DynamoDB::Table', TABLE),
      summary('AWS::CloudWatch::Alarm', ALARM),
      summary('AWS::SNS::Topic', 'arn:aws:sns:us-east-1:111122223333:oom'),
    ],
  });
  ec2.on(DescribeInstancesCommand).resolves({
    Reservations: [{ Instances: [{ InstanceId: INSTANCE, Tags: [{ Key: 'team', Value: 'oom' }] }] }],
  });
  logs.on(CreateLogStreamCommand).resolves({});
  logs.on(PutLogEventsCommand).callsFake((input: { logEvents: { message: string }[] }) => {
    writtenLines = input.logEvents.map((e) => e.message);
    return {};
  });
  dynamo.on(QueryCommand).callsFake(() => ({
    Items:
      writtenLines.length === 0
        ? []
        : [
            {
              incidentId: 'inc-1',
              process: 'oom-drill',
              observedAt: new Date(START).toISOString(),
              executionArn: EXECUTION,
            },
          ],
  }));
  // The incident item as the store writes it: its document holds the kill parsed from the lines the drill wrote.
  dynamo.on(GetCommand).callsFake(() => {
    const [kill] = parseKernelLog(writtenLines.join('\n'));
    return {
      Item: {
        pk: 'INCIDENT#inc-1',
        sk: 'INCIDENT',
        document: JSON.stringify({ id: 'inc-1', firstKill: kill }),
        kills: [],
        killCount: 1,
        status: 'open',
        notification: JSON.stringify({
          at: new Date(START).toISOString(),
          sns: { status: 'sent', messageId: 'sns-msg-1', detail: null },
          slack: slackRecord,
        }),
      },
    };
  });
  sfn.on(DescribeExecutionCommand).resolves({
    status: 'SUCCEEDED',
    executionArn: EXECUTION,
    stateMachineArn: 'x',
    startDate: new Date(START),
  });
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      event(1, 'ExecutionStarted', 1000),
      { ...event(2, 'TaskStateEntered', 1500), stateEnteredEventDetails: { name: 'Diagnose' } },
      { ...event(3, 'TaskStateExited', 6500), stateExitedEventDetails: { name: 'Diagnose' } },
      { ...event(4, 'TaskStateEntered', 6500), stateEnteredEventDetails: { name: 'Notify' } },
      { ...event(5, 'TaskStateExited', 8000), stateExitedEventDetails: { name: 'Notify' } },
      event(6, 'ExecutionSucceeded', 8000),
    ],
  });
  cw.on(SetAlarmStateCommand).resolves({});
  cw.on(DescribeAlarmHistoryCommand).resolves({
    AlarmHistoryItems: [
      {
        AlarmName: ALARM,
        HistoryItemType: 'Action',
        Timestamp: new Date(START + 2000),
        HistorySummary: 'Successfully executed action arn:aws:sns:us-east-1:111122223333:oom',
        HistoryData:
          '{"actionState":"Succeeded","notificationResource":"arn:aws:sns:us-east-1:111122223333:oom"}',
      },
    ],
  });
});

function summary(type: string, id: string) {
  return {
    ResourceType: type,
    PhysicalResourceId: id,
    LogicalResourceId: id,
    ResourceStatus: 'CREATE_COMPLETE' as const,
    LastUpdatedTimestamp: new Date(START),
  };
}

function event(id: number, type: string, offsetMs: number) {
  return { id, type: type as 'ExecutionStarted', timestamp: new Date(START + offsetMs) };
}

async function run(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await drillCommand(
    args,
    { stdout, stderr },
    {
      clients: () => clients,
      clock: fakeClock(START),
      pollIntervalMs: 10,
      alarmTimeoutMs: 100,
    },
  );
  return { code, stdout: out, stderr: err };
}

describe('oom-responder drill over the AWS SDK (aws-sdk-client-mock)', () => {
  it('the whole success path: exit 0, every check PASS, the calls a drill makes', async () => {
    const { code, stdout, stderr } = await run(['--instance', INSTANCE, '--slack']);
    expect(stdout).toMatch(/^drill drill-20261204t2015-[0-9a-f]{4} on stack OomResponder: PASS$/m);
    for (const check of ['stack', 'instance', 'report', 'incident', 'execution', 'notification', 'alarm']) {
      expect(stdout).toMatch(new RegExp(`^ {2}PASS ${check}`, 'm'));
    }
    expect(stdout).toContain('SNS sent (message sns-msg-1); Slack sent');
    expect(stdout).toContain(`instance ${INSTANCE} carries team=oom`);
    expect(stderr).toContain('Diagnose: done at +6.5s (5.0s)');
    expect(code).toBe(0);
    const put = logs.commandCalls(PutLogEventsCommand)[0]?.args[0].input;
    expect(put?.logGroupName).toBe(LOG_GROUP);
    expect(put?.logStreamName).toBe(INSTANCE);
    expect(put?.logEvents?.length).toBe(writtenLines.length);
    expect(put?.logEvents?.[0]?.timestamp).toBe(START);
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: TABLE,
      IndexName: 'gsi2',
      // The drill's own key space: the detector files a drill apart from the instance's real incidents.
      ExpressionAttributeValues: {
        ':pk': expect.stringMatching(new RegExp(`^INCIDENTS#drill:drill-\\S+:${INSTANCE}$`)),
      },
    });
    expect(
      cw
        .commandCalls(SetAlarmStateCommand)
        .map((c) => [c.args[0].input.AlarmName, c.args[0].input.StateValue]),
    ).toEqual([
      [ALARM, 'ALARM'],
      [ALARM, 'OK'],
    ]);
  });

  it('--json prints one JSON document of the same verdicts', async () => {
    const { code, stdout } = await run(['--instance', INSTANCE, '--json']);
    const document = JSON.parse(stdout) as {
      ok: boolean;
      checks: { check: string; status: string }[];
      incidentId: string;
    };
    expect(document.ok).toBe(true);
    expect(document.incidentId).toBe('inc-1');
    expect(document.checks.map((c) => c.status)).toEqual(Array(7).fill('pass'));
    expect(code).toBe(0);
  });

  it('no stack: exit 1 with the message and the fix, nothing written', async () => {
    cfn.on(DescribeStacksCommand).rejects(notFound('ValidationError', 'Stack with id Nope does not exist'));
    const { code, stdout } = await run(['--stack', 'Nope']);
    expect(stdout).toContain('FAIL stack        no stack named Nope');
    expect(stdout).toContain('fix:   pass --stack NAME and --region R');
    expect(logs.commandCalls(PutLogEventsCommand)).toEqual([]);
    expect(code).toBe(1);
  });

  it('untagged instance: exit 1, names the tag the stack was deployed with', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE, Tags: [] }] }] });
    const { code, stdout } = await run(['--instance', INSTANCE]);
    expect(stdout).toContain(`FAIL instance     instance ${INSTANCE} does not carry the tag team=oom`);
    expect(code).toBe(1);
  });

  it('a missing instance (InvalidInstanceID.NotFound) is said as such', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejects(notFound('InvalidInstanceID.NotFound', 'The instance ID does not exist'));
    const { code, stdout } = await run(['--instance', INSTANCE]);
    expect(stdout).toContain(`no instance ${INSTANCE} in this account and Region`);
    expect(code).toBe(1);
  });

  it('detector never records: exit 1 after --timeout', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    const { code, stdout } = await run(['--no-instance', '--timeout', '1']);
    expect(stdout).toMatch(/FAIL incident +no incident for drill drill-\S+ after 1\.0s/);
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':pk']).toMatch(
      /^INCIDENTS#drill:drill-\S+:host:oom-responder-drill-drill-/,
    );
    expect(code).toBe(1);
  });

  it('execution fails: exit 1 with the failed stage and error', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      error: 'States.TaskFailed',
      cause: 'boom',
      executionArn: EXECUTION,
      stateMachineArn: 'x',
      startDate: new Date(START),
    });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { ...event(2, 'TaskStateEntered', 1500), stateEnteredEventDetails: { name: 'Diagnose' } },
        { ...event(3, 'TaskFailed', 3000) },
        event(4, 'ExecutionFailed', 3000),
      ],
    });
    const { code, stdout } = await run(['--instance', INSTANCE]);
    expect(stdout).toContain('FAIL execution    execution FAILED in Diagnose: States.TaskFailed (boom)');
    expect(code).toBe(1);
  });

  it('Slack rejected: exit 1 with Slack’s error', async () => {
    slackRecord.status = 'failed';
    slackRecord.detail = 'HTTP 403 invalid_token';
    const { code, stdout } = await run(['--instance', INSTANCE]);
    expect(stdout).toContain('Slack failed (HTTP 403 invalid_token)');
    expect(stdout).toContain('cause: Slack rejected the webhook (HTTP 403 invalid_token)');
    expect(code).toBe(1);
  });

  it('alarm action failed: exit 1, the KMS key policy as the cause', async () => {
    cw.on(DescribeAlarmHistoryCommand).resolves({
      AlarmHistoryItems: [
        {
          AlarmName: ALARM,
          HistoryItemType: 'Action',
          Timestamp: new Date(START + 2000),
          HistorySummary: 'Failed to execute action arn:aws:sns:us-east-1:111122223333:oom',
          HistoryData: JSON.stringify({
            actionState: 'Failed',
            error: 'null (Service: AmazonSNS; Status Code: 400; Error Code: KMS.AccessDeniedException)',
          }),
        },
      ],
    });
    const { code, stdout } = await run(['--instance', INSTANCE]);
    expect(stdout).toContain("cause: the topic's KMS key policy does not allow cloudwatch.amazonaws.com");
    expect(code).toBe(1);
  });

  it('--dry-run prints the plan and makes no AWS call', async () => {
    const { code, stdout } = await run(['--dry-run', '--instance', INSTANCE]);
    expect(stdout).toContain('dry run: no AWS call is made');
    expect(stdout).toContain(`stream ${INSTANCE}`);
    expect(stdout).toContain('Killed process 4242 (oom-drill)');
    for (const mock of [cfn, cw, logs, ec2, sfn, dynamo]) expect(mock.calls()).toEqual([]);
    expect(code).toBe(0);
  });

  it('bad flags exit 2 with one line', async () => {
    expect(await runMain(['drill', '--instance', INSTANCE, '--no-instance'])).toMatchObject({
      code: 2,
      stderr: 'oom-responder drill: --instance and --no-instance exclude each other\n',
    });
    expect((await runMain(['drill', '--instance', 'web-1'])).code).toBe(2);
    expect((await runMain(['drill', '--timeout', '0'])).code).toBe(2);
  });
});
