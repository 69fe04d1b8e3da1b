import { CloudWatchLogsClient, type CloudWatchLogsClientConfig } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import {
  CloudWatchLogContextReader,
  GET_LOG_EVENTS_CLIENT_CONFIG,
} from '../../../../functions/adapters/logs/log-context-reader';
import {
  ContextReadBudget,
  DEFAULT_CONTEXT_READ_LIMITS,
} from '../../../../functions/core/detect/context-budget';

// No aws-sdk-client-mock here: it replaces `send` on every client of the class, and this test is about what the
// real client's retry strategy does underneath `send`.
const window = {
  logGroup: '/k',
  logStream: 'i-0abc1234def567890',
  startMs: 1000,
  endMs: 21_001,
  coverMs: 16_000,
};

describe('GET_LOG_EVENTS_CLIENT_CONFIG', () => {
  it('makes two HTTP attempts of a throttled call, not the eight of the burst-tolerant settings', async () => {
    let attempts = 0;
    // A real client and its real retry strategy, over an HTTP handler that always answers CloudWatch Logs'
    // throttling error (awsJson1_1, as the service sends it).
    const requestHandler: CloudWatchLogsClientConfig['requestHandler'] = {
      handle: async () => {
        attempts++;
        return {
          response: {
            statusCode: 400,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Buffer.from(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' })),
          },
        };
      },
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
    };
    const client = new CloudWatchLogsClient({
      ...GET_LOG_EVENTS_CLIENT_CONFIG,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler,
    });
    const onBudget = new CloudWatchLogContextReader({
      client,
      budget: new ContextReadBudget(DEFAULT_CONTEXT_READ_LIMITS, () => 60_000),
    });
    await expect(onBudget.readWindow(window)).rejects.toMatchObject({ name: 'ThrottlingException' });
    console.log(`GetLogEvents throttled: ${attempts} HTTP attempts for one call`);
    expect(attempts).toBe(2);
  });
});
