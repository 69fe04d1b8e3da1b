import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillClients } from '../../../cli/commands/drill';
import { awsDrillPorts, type DrillClients } from '../../../cli/drill/aws-drill-ports';
import type { DrillPorts } from '../../../cli/drill/ports';
import { keys } from '../../../functions/adapters/dynamodb/items';
import { drillReportLines } from '../../../functions/core/drill/drill-report';
import { parseKernelLog } from '../../../functions/core/kernel-log';
import { skipped } from '../../support/aws-tools';
import { type MotoServer, moto, startMoto } from '../../support/moto-server';

/**
 * The drill's SDK adapter over real HTTP to moto server, for the calls moto implements: CloudFormation
 * (DescribeStacks, ListStackResources), EC2 DescribeInstances, Logs CreateLogStream/PutLogEvents, DynamoDB
 * Query/GetItem and CloudWatch SetAlarmState. moto has no DescribeAlarmHistory, and its CloudFormation cannot create
 * an alarm: those are covered with aws-sdk-client-mock (drill-command.test.ts).
 */
const AMI = 'ami-12c6146b';
const DRILL_ID = 'drill-20261204t2015-7f3a';

const TEMPLATE = {
  Resources: {
    Kernel: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/oom-responder/drill-test/kernel' } },
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'drill-test-incidents',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'gsi2pk', 'gsi2sk'].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi2',
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
    },
  },
  Outputs: {
    KernelLogGroup: { Value: { Ref: 'Kernel' } },
    StateMachineArn: { Value: 'arn:aws:states:us-east-1:123456789012:stateMachine:drill-test' },
    InstanceTag: { Value: 'OomResponder=enabled' },
  },
};

describe.skipIf(!moto.path)(`the drill's AWS adapter on moto server${skipped(moto)}`, () => {
  let server: MotoServer;
  let clients: DrillClients;
  let ports: DrillPorts;

  beforeAll(async () => {
    server = await startMoto();
    clients = drillClients(server.clientConfig);
    ports = awsDrillPorts(clients);
    await clients.cloudFormation.send(
      new CreateStackCommand({ StackName: 'DrillTest', TemplateBody: JSON.stringify(TEMPLATE) }),
    );
  }, 60_000);
  afterAll(async () => {
    for (const client of Object.values(clients ?? {})) client.destroy();
    await server?.stop();
  });

  it("finds the stack's log group, table and outputs; a missing stack is null", async () => {
    expect(await ports.findStack('DrillTest')).toMatchObject({
      stackName: 'DrillTest',
      kernelLogGroup: '/oom-responder/drill-test/kernel',
      tableName: 'drill-test-incidents',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:drill-test',
      instanceTag: { key: 'OomResponder', value: 'enabled' },
    });
    expect(await ports.findStack('NoSuchStack')).toBeNull();
  });

  it("reads an instance's tags; an unknown instance is null", async () => {
    const launched = await clients.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'OomResponder', Value: 'enabled' }] }],
      }),
    );
    const id = launched.Instances?.[0]?.InstanceId ?? '';
    expect(await ports.instanceTags(id)).toEqual({ OomResponder: 'enabled' });
    expect(await ports.instanceTags('i-0000000000000dead')).toBeNull();
  });

  it('writes the report on its stream, in order, twice to one stream without failing', async () => {
    const lines = drillReportLines({ drillId: DRILL_ID });
    const at = Date.now();
    await ports.writeReport('/oom-responder/drill-test/kernel', 'i-0123456789abcdef0', lines, at);
    await ports.writeReport('/oom-responder/drill-test/kernel', 'i-0123456789abcdef0', lines, at + 1000);
    const read = await clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: '/oom-responder/drill-test/kernel',
        logStreamName: 'i-0123456789abcdef0',
        startFromHead: true,
      }),
    );
    expect(read.events?.map((e) => e.message)).toEqual([...lines, ...lines]);
  });

  it("finds the drill's incident under its instance key, with its execution and notification; another drill's is not it", async () => {
    const [kill] = parseKernelLog(drillReportLines({ drillId: DRILL_ID }).join('\n'));
    const observedAt = new Date().toISOString();
    await clients.dynamo.send(
      new PutCommand({
        TableName: 'drill-test-incidents',
        Item: {
          ...keys.incident('inc-7'),
          ...keys.instanceIncident('host:oom-responder-drill-x', observedAt, 'inc-7'),
          incidentId: 'inc-7',
          process: 'oom-drill',
          observedAt,
          executionArn: 'arn:aws:states:us-east-1:123456789012:execution:drill-test:inc-7',
          document: JSON.stringify({ id: 'inc-7', firstKill: kill }),
          kills: [],
          killCount: 1,
          status: 'open',
          notification: JSON.stringify({
            at: observedAt,
            sns: { status: 'sent', messageId: 'sns-1', detail: null },
            slack: { status: 'failed', detail: 'HTTP 404 no_service' },
          }),
        },
      }),
    );
    const since = new Date(Date.now() - 60_000).toISOString();
    expect(
      await ports.findIncident('drill-test-incidents', 'host:oom-responder-drill-x', since, DRILL_ID),
    ).toEqual({
      id: 'inc-7',
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:drill-test:inc-7',
      notification: {
        sns: { status: 'sent', messageId: 'sns-1', detail: null },
        slack: { status: 'failed', detail: 'HTTP 404 no_service' },
      },
    });
    expect(
      await ports.findIncident(
        'drill-test-incidents',
        'host:oom-responder-drill-x',
        since,
        'drill-other-0000',
      ),
    ).toBeNull();
    expect(
      await ports.findIncident('drill-test-incidents', 'i-0123456789abcdef0', since, DRILL_ID),
    ).toBeNull();
  });

  it("sets an alarm's state to ALARM and back", async () => {
    await clients.cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'drill-test-alarm',
        Namespace: 'OomResponder',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    const state = async () =>
      (await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['drill-test-alarm'] })))
        .MetricAlarms?.[0]?.StateValue;
    await ports.setAlarmState('drill-test-alarm', 'ALARM', 'drill');
    expect(await state()).toBe('ALARM');
    await ports.setAlarmState('drill-test-alarm', 'OK', 'drill done');
    expect(await state()).toBe('OK');
  });
});
