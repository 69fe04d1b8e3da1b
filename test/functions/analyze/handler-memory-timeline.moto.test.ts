import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import type { AnalyzeIncidentResult } from '../../../functions/core/respond/analyze-incident';
import type { AnalyzePressureResult } from '../../../functions/core/respond/analyze-pressure';
import { skipped } from '../../support/aws-tools';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { realKill, recordRequest } from '../../support/kills';
import { captureConsole, stubLambdaEnvironment } from '../../support/lambda-environment';
import { type MotoServer, moto, startMoto } from '../../support/moto-server';

const INSTANCE = 'i-0a1b2c3d4e5f60789';
const MINUTE = 60_000;

const context = {
  functionName: 'OomResponder-Analyze',
  awsRequestId: '3f1a2b4c-0000-4000-8000-000000000003',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:OomResponder-Analyze',
  memoryLimitInMB: '512',
  functionVersion: '$LATEST',
} as Context;

// The Lambda as deployed with earlyWarning: the environment carries the alarm's threshold, so its module builds a
// CloudWatch reader; CloudWatch is moto server, DynamoDB a DynamoDB-protocol server, both reached through the SDK's
// service endpoint variables.
describe.skipIf(!moto.path)(`the analyze Lambda with the memory metrics${skipped(moto)}`, () => {
  let dynamo: LocalDynamo;
  let server: MotoServer;
  let tableName: string;
  let logged: string[];
  let handler: (event: unknown, context: Context) => Promise<AnalyzeIncidentResult | AnalyzePressureResult>;
  const killMs = Math.floor(Date.now() / MINUTE) * MINUTE - 30_000;
  /** The ten minutes before the kill's minute: 24 % down to 15 %. */
  const values = Array.from({ length: 10 }, (_, i) => 24 - i);

  beforeAll(async () => {
    [dynamo, server] = await Promise.all([startLocalDynamo(), startMoto()]);
    tableName = await dynamo.createTable();
    const cloudwatch = new CloudWatchClient(server.clientConfig);
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'CWAgent',
        MetricData: values.map((value, i) => ({
          MetricName: 'mem_available_percent',
          Dimensions: [{ Name: 'InstanceId', Value: INSTANCE }],
          Timestamp: new Date(killMs - 30_000 - (10 - i) * MINUTE),
          Value: value,
          Unit: 'Percent',
        })),
      }),
    );
    cloudwatch.destroy();
    await stubLambdaEnvironment(dynamo, {
      INCIDENT_TABLE_NAME: tableName,
      EARLY_WARNING_MEM_AVAILABLE_PERCENT: '10',
    });
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', server.endpoint);
    logged = captureConsole();
    ({ handler } = await import('../../../functions/analyze/index'));
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await Promise.all([dynamo?.close(), server?.stop()]);
  });

  it('reads the instance’s hour before the kill and logs that it did', async () => {
    const store = new DynamoIncidentStore({ client: dynamo.client, tableName });
    const request = recordRequest(INSTANCE, [{ kill: realKill(), observedAtMs: killMs }]);
    await store.recordKills(request);
    const result = await handler(
      {
        incidentId: request.incident.id,
        instanceId: INSTANCE,
        killTime: request.incident.observedAt,
        pid: '3359',
        process: '(sd-pam)',
        unit: '',
        memcgPath: '',
      },
      context,
    );
    if (!('memoryTimeline' in result)) throw new Error('a kill state was analyzed as a pressure warning');
    expect(result.memoryTimeline.status).toBe('read');
    if (result.memoryTimeline.status !== 'read') return;
    const { window } = result.memoryTimeline;
    expect(window.thresholdPercent).toBe(10);
    expect(window.available.filter((v) => v !== null)).toEqual(values);
    // The ten points are the minutes just before the kill's: the last slot (the kill's own minute) is empty.
    expect(window.available.slice(-11)).toEqual([...values, null]);
    const line = logged.find((text) => text.includes('"analyzed"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ message: 'analyzed', memoryTimeline: 'read' });
  });
});
