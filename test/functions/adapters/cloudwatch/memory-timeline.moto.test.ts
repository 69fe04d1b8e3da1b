import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchMemoryMetricsReader } from '../../../../functions/adapters/cloudwatch/memory-metrics-reader';
import { MemoryIncidentStore } from '../../../../functions/adapters/memory/incident-store';
import { workflowInputFor } from '../../../../functions/core/detect/detect-batch';
import { SPARK_BLOCKS } from '../../../../functions/core/metrics/sparkline';
import { parsePolicy } from '../../../../functions/core/policy/policy';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { MEMORY_TIMELINE_HEADING } from '../../../../functions/core/render/memory-timeline-view';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import { analyzeIncident } from '../../../../functions/core/respond/analyze-incident';
import { responseOutcome } from '../../../../functions/core/respond/notify-incident';
import { skipped } from '../../../support/aws-tools';
import { realKill, recordRequest } from '../../../support/kills';
import { type MotoServer, moto, startMoto } from '../../../support/moto-server';

// The kill's message end to end over real HTTP: the agent's points put into moto server's CloudWatch (CWAgent,
// InstanceId alone), the analyze step reads them through the real reader, the state goes through JSON to notify,
// and the Slack payload states the figures of the points that were put.
describe.skipIf(!moto.path)(`the memory timeline through CloudWatch on moto server${skipped(moto)}`, () => {
  const INSTANCE = 'i-0a1b2c3d4e5f60789';
  const MINUTE = 60_000;
  // The kill half a minute into the current minute's predecessor: the window is the hour to the end of that minute.
  const windowEnd = Math.floor(Date.now() / MINUTE) * MINUTE;
  const killMs = windowEnd - 30_000;
  const windowFrom = windowEnd - 60 * MINUTE;
  /** 50 % falling 0.7 points a minute: 8.7 % in the kill's minute. Swap 0 %, then 2 points a minute from minute 40. */
  const available = Array.from({ length: 60 }, (_, i) => 50 - 0.7 * i);
  const swap = Array.from({ length: 60 }, (_, i) => (i < 40 ? 0 : 2 * (i - 39)));
  let server: MotoServer;
  let client: CloudWatchClient;

  beforeAll(async () => {
    server = await startMoto();
    client = new CloudWatchClient(server.clientConfig);
    for (const [metric, values] of [
      ['mem_available_percent', available],
      ['swap_used_percent', swap],
    ] as const) {
      await client.send(
        new PutMetricDataCommand({
          Namespace: 'CWAgent',
          MetricData: values.map((value, i) => ({
            MetricName: metric,
            Dimensions: [{ Name: 'InstanceId', Value: INSTANCE }],
            Timestamp: new Date(windowFrom + i * MINUTE),
            Value: value,
            Unit: 'Percent',
          })),
        }),
      );
    }
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('reads the points before the kill and the Slack message shows their figures', async () => {
    const store = new MemoryIncidentStore();
    const request = recordRequest(INSTANCE, [{ kill: realKill({ pid: 4242 }), observedAtMs: killMs }]);
    await store.recordKills(request);
    const state = workflowInputFor(request.incident);
    const analyzed = await analyzeIncident(
      state,
      store,
      {
        policy: parsePolicy({}),
        documents: {},
        outputBucket: null,
        memoryTimeline: { thresholdPercent: 10 },
      },
      new Date(windowEnd + 5 * MINUTE),
      { memoryMetrics: new CloudWatchMemoryMetricsReader(client) },
    );
    expect(analyzed.memoryTimeline.status).toBe('read');
    const incident = await store.getIncident(state.incidentId);
    if (!incident) throw new Error('the incident was not recorded');
    const carried = JSON.parse(JSON.stringify({ ...state, analysis: analyzed }));
    const message = renderSlackMessage(
      responseOutcome(carried, incident, null, { outputBucket: null, partition: 'aws', region: 'us-east-1' }),
    );
    expect(validateSlackMessage(message)).toEqual([]);
    const section =
      message.blocks
        .map((block) => (block.type === 'section' ? (block.text?.text ?? '') : ''))
        .find((text) => text.startsWith(`*${MEMORY_TIMELINE_HEADING}`)) ?? '';
    const clock = (i: number) => new Date(windowFrom + i * MINUTE).toISOString().slice(11, 16);
    const spark = Array.from(
      { length: 12 },
      (_, k) => SPARK_BLOCKS[Math.floor(Math.min(...available.slice(k * 5, k * 5 + 5)) / 12.5)],
    ).join('');
    expect(section).toContain(`\`${spark}\``);
    expect(section).toContain(
      `available memory fell from ${available[0]}% at ${clock(0)} to 8.7% at ${clock(59)} (59 min)`,
    );
    // 50 - 0.7 i <= 10 first at i = 58 (9.4 %).
    expect(section).toContain(`at or below the early-warning threshold (10%) from ${clock(58)}`);
    expect(section).toContain(`swap used 0% → ${swap[59]}%`);
    expect(section).not.toContain('sent nothing');
  });
});
