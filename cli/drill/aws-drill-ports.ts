import {
  type CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  type CloudWatchClient,
  DescribeAlarmHistoryCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandOutput,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { readIncident } from '../../functions/adapters/dynamodb/incident-table';
import { GSI2, keys } from '../../functions/adapters/dynamodb/items';
import { drillIdOf } from '../../functions/core/drill/drill-report';
import type { AlarmActionItem, DrillExecution, DrillPorts, DrillStack, DrillStage } from './ports';

/**
 * `DrillPorts` over the AWS SDK v3: each method one call or one paginated sequence. The clients are made by the
 * command (`cli/commands/drill.ts`) with the default credential chain and Region, and passed in here.
 */
export interface DrillClients {
  cloudFormation: CloudFormationClient;
  cloudWatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  ec2: EC2Client;
  sfn: SFNClient;
  dynamo: DynamoDBDocumentClient;
}

/** The tag the stack's instances carry unless it was deployed with another (`instanceTag`). */
export const DEFAULT_INSTANCE_TAG = { key: 'OomResponder', value: 'enabled' };

const errorName = (error: unknown): string => (error as { name?: string } | null)?.name ?? '';
const errorMessage = (error: unknown): string => (error as { message?: string } | null)?.message ?? '';

export function awsDrillPorts(clients: DrillClients): DrillPorts {
  return {
    async findStack(stackName) {
      let outputs: Record<string, string>;
      try {
        const described = await clients.cloudFormation.send(
          new DescribeStacksCommand({ StackName: stackName }),
        );
        const stack = described.Stacks?.[0];
        if (!stack) return null;
        outputs = Object.fromEntries(
          (stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
        );
      } catch (error) {
        // CloudFormation says a missing stack with a ValidationError, "Stack with id X does not exist".
        if (errorName(error) === 'ValidationError' && /does not exist/.test(errorMessage(error))) return null;
        throw error;
      }
      const resources: { type: string; physicalId: string }[] = [];
      let token: string | undefined;
      do {
        const page = await clients.cloudFormation.send(
          new ListStackResourcesCommand({ StackName: stackName, NextToken: token }),
        );
        for (const r of page.StackResourceSummaries ?? []) {
          if (r.PhysicalResourceId)
            resources.push({ type: r.ResourceType ?? '', physicalId: r.PhysicalResourceId });
        }
        token = page.NextToken;
      } while (token);
      const ofType = (type: string): string[] =>
        resources.filter((r) => r.type === type).map((r) => r.physicalId);
      return {
        stackName,
        kernelLogGroup: outputs.KernelLogGroup || null,
        tableName: ofType('AWS::DynamoDB::Table')[0] ?? null,
        stateMachineArn: outputs.StateMachineArn || ofType('AWS::StepFunctions::StateMachine')[0] || null,
        topicArn: outputs.NotificationTopicArn || null,
        alarmNames: ofType('AWS::CloudWatch::Alarm'),
        instanceTag: parseTag(outputs.InstanceTag) ?? DEFAULT_INSTANCE_TAG,
      } satisfies DrillStack;
    },

    async instanceTags(instanceId) {
      try {
        const result = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
        const instance = result.Reservations?.[0]?.Instances?.[0];
        if (!instance) return null;
        return Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      } catch (error) {
        if (/^InvalidInstanceID\.(NotFound|Malformed)$/.test(errorName(error))) return null;
        throw error;
      }
    },

    async writeReport(logGroup, stream, lines, atMs) {
      try {
        await clients.logs.send(
          new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: stream }),
        );
      } catch (error) {
        if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
      }
      await clients.logs.send(
        new PutLogEventsCommand({
          logGroupName: logGroup,
          logStreamName: stream,
          // One millisecond apart: the lines keep their order however the subscription batches them.
          logEvents: lines.map((message, i) => ({ message, timestamp: atMs + i })),
        }),
      );
    },

    async findIncident(tableName, instanceKey, sinceIso, drillId) {
      const page = await clients.dynamo.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: GSI2,
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk >= :since',
          ExpressionAttributeValues: {
            ':pk': keys.instanceIncidentsPartition(instanceKey).gsi2pk,
            ':since': sinceIso,
          },
          ScanIndexForward: false,
          Limit: 20,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.process !== 'oom-drill' || typeof item.incidentId !== 'string') continue;
        const incident = await readIncident({ client: clients.dynamo, tableName }, item.incidentId);
        if (!incident || drillIdOf(incident.firstKill) !== drillId) continue;
        const record = incident.notification;
        return {
          id: incident.id,
          executionArn: typeof item.executionArn === 'string' ? item.executionArn : null,
          notification: record
            ? {
                sns: {
                  status: record.sns.status,
                  messageId: record.sns.messageId,
                  detail: record.sns.detail,
                },
                slack: { status: record.slack.status, detail: record.slack.detail },
              }
            : null,
        };
      }
      return null;
    },

    async execution(executionArn) {
      const described = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      const events: HistoryEvent[] = [];
      let token: string | undefined;
      do {
        const page: GetExecutionHistoryCommandOutput = await clients.sfn.send(
          new GetExecutionHistoryCommand({ executionArn, nextToken: token, maxResults: 1000 }),
        );
        events.push(...(page.events ?? []));
        token = page.nextToken;
      } while (token);
      return {
        status: (described.status ?? 'RUNNING') as DrillExecution['status'],
        stages: stagesOf(events),
        error: described.error ?? null,
        cause: described.cause ?? null,
      };
    },

    async setAlarmState(alarmName, state, reason) {
      await clients.cloudWatch.send(
        new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: reason }),
      );
    },

    async alarmActions(alarmName, sinceMs) {
      const result = await clients.cloudWatch.send(
        new DescribeAlarmHistoryCommand({
          AlarmName: alarmName,
          HistoryItemType: 'Action',
          StartDate: new Date(sinceMs),
          ScanBy: 'TimestampDescending',
          MaxRecords: 20,
        }),
      );
      return (result.AlarmHistoryItems ?? []).map(
        (item): AlarmActionItem => ({
          atMs: item.Timestamp?.getTime() ?? 0,
          summary: item.HistorySummary ?? '',
          data: item.HistoryData ?? null,
        }),
      );
    },
  };
}

/** `key=value` from the stack's `InstanceTag` output. */
function parseTag(text: string | undefined): { key: string; value: string } | null {
  const at = text?.indexOf('=') ?? -1;
  if (!text || at <= 0) return null;
  return { key: text.slice(0, at), value: text.slice(at + 1) };
}

/** The states an execution entered, in order, each with when it exited and whether it failed there. */
export function stagesOf(events: HistoryEvent[]): DrillStage[] {
  const stages: DrillStage[] = [];
  const open = new Map<string, DrillStage>();
  let current: DrillStage | null = null;
  for (const event of events) {
    const at = event.timestamp?.getTime() ?? 0;
    const type = event.type ?? '';
    if (type.endsWith('StateEntered') && event.stateEnteredEventDetails?.name) {
      const stage = {
        name: event.stateEnteredEventDetails.name,
        enteredAtMs: at,
        exitedAtMs: null,
        failed: false,
      };
      stages.push(stage);
      open.set(stage.name, stage);
      current = stage;
    } else if (type.endsWith('StateExited') && event.stateExitedEventDetails?.name) {
      const stage = open.get(event.stateExitedEventDetails.name);
      if (stage) {
        stage.exitedAtMs = at;
        open.delete(stage.name);
      }
    } else if (type.endsWith('Succeeded') && !type.startsWith('Execution')) {
      // A retried task that then succeeded did not fail its state.
      if (current && current.exitedAtMs === null) current.failed = false;
    } else if (type.endsWith('Failed') || type.endsWith('TimedOut')) {
      // A task's failure belongs to the state it ran in; an execution's failure ends the open one.
      if (current && current.exitedAtMs === null) {
        current.failed = true;
        if (type.startsWith('Execution')) current.exitedAtMs = at;
      }
    }
  }
  return stages;
}
