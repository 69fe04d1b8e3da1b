import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogContextReader } from '../../../../functions/adapters/logs/log-context-reader';

const logs = mockClient(CloudWatchLogsClient);
const reader = new CloudWatchLogContextReader({
  client: new CloudWatchLogsClient({ region: 'us-east-1' }),
  maxPages: 3,
});
const window = {
  logGroup: '/k',
  logStream: 'i-0abc1234def567890',
  startMs: 1000,
  endMs: 21_001,
  coverMs: 16_000,
};

beforeEach(() => logs.reset());

describe('CloudWatchLogContextReader', () => {
  it('reads oldest first within the window and stops when the token repeats', async () => {
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [], nextForwardToken: 'f/1' })
      .resolvesOnce({ events: [{ timestamp: 2000, message: 'a' }], nextForwardToken: 'f/2' })
      .resolvesOnce({ events: [], nextForwardToken: 'f/2' });
    expect(await reader.readWindow(window)).toEqual([{ timestamp: 2000, message: 'a' }]);
    const inputs = logs.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(3);
    expect(inputs[0]).toEqual({
      logGroupName: '/k',
      logStreamName: window.logStream,
      startTime: 1000,
      endTime: 21_001,
      startFromHead: true,
    });
    expect(inputs[1]?.nextToken).toBe('f/1');
  });

  it('stops once it has read up to the kill', async () => {
    logs.on(GetLogEventsCommand).resolves({
      events: [{ timestamp: 16_000, message: 'Killed process 1 (x)' }],
      nextForwardToken: 'f/9',
    });
    await reader.readWindow(window);
    expect(logs.commandCalls(GetLogEventsCommand)).toHaveLength(1);
  });

  it('reads no more than its page limit, even when tokens keep changing', async () => {
    let n = 0;
    logs.on(GetLogEventsCommand).callsFake(() => ({ events: [], nextForwardToken: `f/${++n}` }));
    await reader.readWindow(window);
    expect(logs.commandCalls(GetLogEventsCommand)).toHaveLength(3);
  });
});
