import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import type { AnalyzeIncidentResult } from '../../../functions/core/respond/analyze-incident';
import type { AnalyzePressureResult } from '../../../functions/core/respond/analyze-pressure';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { realKill, recordRequest } from '../../support/kills';
import { captureConsole, stubLambdaEnvironment } from '../../support/lambda-environment';
import { pressureEvent, WARNED_AT } from '../../support/pressure';
import { CONFIRMED_DIAGNOSTICS_STDOUT, command } from '../core/respond/workflow-states';

const INSTANCE = 'i-0a1b2c3d4e5f60789';
const ADD_SWAP = 'OomResponder-AddSwap-1A2B3C4D5E6F';
const cloudwatch = mockClient(CloudWatchClient);

let dynamo: LocalDynamo;
let tableName: string;
let logged: string[];
let handler: (event: unknown, context: Context) => Promise<AnalyzeIncidentResult | AnalyzePressureResult>;

const context = {
  functionName: 'OomResponder-Analyze',
  awsRequestId: '3f1a2b4c-0000-4000-8000-000000000002',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:OomResponder-Analyze',
  memoryLimitInMB: '256',
  functionVersion: '$LATEST',
} as Context;

// The Lambda as deployed: its module reads the environment at cold start; DynamoDB is a real DynamoDB-protocol
// server on loopback, reached through the SDK's service endpoint variable.
beforeAll(async () => {
  dynamo = await startLocalDynamo();
  tableName = await dynamo.createTable();
  await stubLambdaEnvironment(dynamo, {
    INCIDENT_TABLE_NAME: tableName,
    REMEDIATION_POLICY: JSON.stringify({ addSwap: { enabled: true } }),
    DIAGNOSTICS_BUCKET: 'oomresponder-diagnostics-123456789012',
    ADD_SWAP_DOCUMENT: ADD_SWAP,
  });
  logged = captureConsole();
  ({ handler } = await import('../../../functions/analyze/index'));
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await dynamo.close();
});

describe('the analyze Lambda', () => {
  it('analyzes the workflow state, records the planned step in DynamoDB and returns it ready to send', async () => {
    const store = new DynamoIncidentStore({ client: dynamo.client, tableName });
    const request = recordRequest(INSTANCE, [{ kill: realKill(), observedAtMs: Date.now() - 60_000 }]);
    await store.recordKills(request);
    const state = {
      incidentId: request.incident.id,
      instanceId: INSTANCE,
      killTime: request.incident.observedAt,
      pid: '3359',
      process: '(sd-pam)',
      unit: '',
      memcgPath: '',
      diagnostics: command({ Status: 'Success', ResponseCode: 0, stdout: CONFIRMED_DIAGNOSTICS_STDOUT }),
    };

    const result = await handler(state, context);
    expect(result.diagnostics.status).toBe('collected');
    expect(result.steps).toMatchObject([
      { action: 'add-swap', documentName: ADD_SWAP, dryRun: false, parameters: { sizeMiB: ['2048'] } },
    ]);
    const items = (await dynamo.client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    expect(items.filter((item) => item.pk === `ACTIONS#${INSTANCE}`)).toEqual([
      expect.objectContaining({ action: 'add-swap', incidentId: request.incident.id }),
    ]);
    // A retry of the same step plans the same remediation, and records it no second time.
    const retried = await handler(state, context);
    expect(retried.steps.map((step) => step.action)).toEqual(['add-swap']);
    const after = (await dynamo.client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    expect(after.filter((item) => item.pk === `ACTIONS#${INSTANCE}`)).toHaveLength(1);

    const line = logged.find((text) => text.includes('"analyzed"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      message: 'analyzed',
      incidentId: request.incident.id,
      diagnostics: 'collected',
      planned: ['add-swap'],
    });
  });

  it('fails for an incident the table does not hold, for the workflow to catch', async () => {
    await expect(
      handler(
        {
          incidentId: 'oom-20261125T182815-ffffffffffffffff',
          instanceId: INSTANCE,
          killTime: '',
          pid: '',
          process: '',
          unit: '',
          memcgPath: '',
        },
        context,
      ),
    ).rejects.toThrow('incident oom-20261125T182815-ffffffffffffffff is not in the incident store');
  });

  it('analyzes a memory-pressure warning with its own use case, reading the metrics through CloudWatch', async () => {
    // 6 % available at the warning, falling 0.4 points a minute: the answer GetMetricData gives for the hour.
    const timestamps = Array.from(
      { length: 30 },
      (_, i) => new Date(Date.parse(WARNED_AT) - (29 - i) * 60_000),
    );
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'm0', Timestamps: timestamps, Values: timestamps.map((_, i) => 6 + 0.4 * (29 - i)) },
        { Id: 'm1', Timestamps: timestamps, Values: timestamps.map(() => 0) },
      ],
    });
    const result = await handler(
      {
        ...pressureEvent(),
        diagnostics: command({ Status: 'Success', ResponseCode: 0, stdout: CONFIRMED_DIAGNOSTICS_STDOUT }),
      },
      context,
    );
    expect('kind' in result.analysis && result.analysis.kind).toBe('pressure');
    if (!('kind' in result.analysis)) throw new Error('not a pressure analysis');
    expect(result.analysis.exhaustion?.minutes).toBe(Math.round((6 / 24) * 60));
    const input = cloudwatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(input?.MetricDataQueries?.map((q) => q.MetricStat?.Metric?.MetricName)).toEqual([
      'mem_available_percent',
      'swap_used_percent',
    ]);
    // The captured host read plenty available: not confirmed, nothing planned however the policy allows add-swap.
    expect(result.steps).toEqual([]);
    const line = logged.find((text) => text.includes('"analyzed a memory-pressure warning"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      metrics: 'read',
      exhaustionMinutes: 15,
      confirmed: 'not-confirmed',
    });
  });
});
