import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogContextReader } from '../../../../functions/adapters/logs/log-context-reader';
import {
  ContextReadBudget,
  ContextReadRefusedError,
  DEFAULT_CONTEXT_READ_LIMITS,
} from '../../../../functions/core/detect/context-budget';

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

const throttling = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

/** A reader on a budget of `maxCalls`, with `remainingMs` as the function's time left. */
function budgeted(maxCalls: number, remainingMs = () => 60_000, callTimeoutMs = 5_000) {
  const budget = new ContextReadBudget(
    { ...DEFAULT_CONTEXT_READ_LIMITS, maxCalls, callTimeoutMs },
    remainingMs,
  );
  const budgetedReader = new CloudWatchLogContextReader({
    client: new CloudWatchLogsClient({ region: 'us-east-1' }),
    budget,
  });
  return { budget, reader: budgetedReader };
}

describe('CloudWatchLogContextReader on a budget', () => {
  it('throws the throttling error after one call, the call taken from the budget', async () => {
    logs.on(GetLogEventsCommand).rejects(throttling());
    const { budget, reader: onBudget } = budgeted(6);
    await expect(onBudget.readWindow(window)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(logs.commandCalls(GetLogEventsCommand)).toHaveLength(1);
    expect(budget.used).toBe(1);
  });

  it('sends nothing once the budget is spent, and says why', async () => {
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f/end' });
    const { reader: onBudget } = budgeted(1);
    await onBudget.readWindow(window);
    await expect(onBudget.readWindow(window)).rejects.toEqual(expect.any(ContextReadRefusedError));
    await expect(onBudget.readWindow(window)).rejects.toMatchObject({ reason: 'budget' });
    expect(logs.commandCalls(GetLogEventsCommand)).toHaveLength(1);
  });

  it('keeps the pages read when the budget ends a window, as the page limit does', async () => {
    let n = 0;
    logs.on(GetLogEventsCommand).callsFake(() => ({
      events: [{ timestamp: 2000 + n, message: `line ${n}` }],
      nextForwardToken: `f/${++n}`,
    }));
    const { reader: onBudget } = budgeted(2);
    expect(await onBudget.readWindow(window)).toHaveLength(2);
    expect(logs.commandCalls(GetLogEventsCommand)).toHaveLength(2);
  });

  it('abandons a call that does not answer within its timeout', async () => {
    logs.on(GetLogEventsCommand).callsFake(() => new Promise(() => {}));
    const { reader: onBudget } = budgeted(6, () => 60_000, 20);
    await expect(onBudget.readWindow(window)).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'GetLogEvents did not answer within 20 ms',
    });
  });

  it('abandons a call before the deadline less the reserve, and starts none after it', async () => {
    logs.on(GetLogEventsCommand).callsFake(() => new Promise(() => {}));
    let remaining = DEFAULT_CONTEXT_READ_LIMITS.reserveMs + 20;
    const { reader: onBudget } = budgeted(6, () => remaining);
    await expect(onBudget.readWindow(window)).rejects.toMatchObject({ reason: 'deadline' });
    remaining = DEFAULT_CONTEXT_READ_LIMITS.reserveMs;
    await expect(onBudget.readWindow(window)).rejects.toMatchObject({ reason: 'deadline' });
    expect(logs.commandCalls(GetLogEventsCommand)).toHaveLength(1);
  });
});
