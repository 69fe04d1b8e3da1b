import { readFileSync } from 'node:fs';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  type InputLogEvent,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogContextReader } from '../../../../functions/adapters/logs/log-context-reader';
import {
  ContextReadBudget,
  DEFAULT_CONTEXT_READ_LIMITS,
} from '../../../../functions/core/detect/context-budget';
import { parseKernelLog } from '../../../../functions/core/kernel-log';
import { skipped } from '../../../support/aws-tools';
import { KERNEL_CORPUS } from '../../../support/corpus';
import { type MotoServer, moto, startMoto } from '../../../support/moto-server';

const logGroup = '/oom-responder/kernel';
const logStream = 'i-0123456789abcdef0';
/** A real memcg kill report, as captured from this project's CI kernel (`dmesg`), 78 lines, the kill line last. */
const REPORT = readFileSync(`${KERNEL_CORPUS}modern/host-v1-memcg-sd-pam.log`, 'utf8').trimEnd().split('\n');
const NOISE = '[  279.000001] systemd-journald[321]: Received client request to flush runtime journal.';

// Real SDK client over real HTTP to moto server's CloudWatch Logs: events put with PutLogEvents, read back by the
// adapter with GetLogEvents. Times are relative to now: AWS refuses events older than 14 days or more than
// 2 hours ahead (PutLogEvents API Reference).
describe.skipIf(!moto.path)(`CloudWatchLogContextReader on moto server${skipped(moto)}`, () => {
  let server: MotoServer;
  let client: CloudWatchLogsClient;
  let calls: number;
  let base: number;

  beforeAll(async () => {
    server = await startMoto();
    client = new CloudWatchLogsClient(server.clientConfig);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetLogEventsCommand') calls++;
        return next(args);
      },
      { step: 'initialize', name: 'countReads' },
    );
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
  beforeEach(async () => {
    await server.reset();
    await client.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
    await client.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: logStream }));
    calls = 0;
    base = Date.now() - 60 * 60_000;
  });

  /** Put lines one millisecond apart from `startMs`, in batches PutLogEvents accepts (10,000 events, 1 MB). */
  async function put(lines: string[], startMs: number): Promise<void> {
    const events: InputLogEvent[] = lines.map((message, i) => ({ timestamp: startMs + i, message }));
    for (let i = 0; i < events.length; i += 2_500) {
      await client.send(
        new PutLogEventsCommand({
          logGroupName: logGroup,
          logStreamName: logStream,
          logEvents: events.slice(i, i + 2_500),
        }),
      );
    }
  }

  it('reads a real kill report back, oldest first, whole enough to parse', async () => {
    await put([NOISE, NOISE], base - 10);
    await put(REPORT, base);
    await put([NOISE], base + 5_000);
    const reader = new CloudWatchLogContextReader({ client });
    const kill = base + REPORT.length - 1;
    const events = await reader.readWindow({
      logGroup,
      logStream,
      startMs: base,
      endMs: kill + 1,
      coverMs: kill,
    });
    expect(events.map((e) => e.message)).toEqual(REPORT);
    expect(events.map((e) => e.timestamp)).toEqual(REPORT.map((_, i) => base + i));
    const [parsed, ...others] = parseKernelLog(events.map((e) => e.message).join('\n'));
    expect(others).toEqual([]);
    expect(parsed).toMatchObject({ pid: 3359, process: '(sd-pam)' });
    expect(calls).toBe(1);
  });

  it('keeps to startMs <= timestamp < endMs, as GetLogEvents does in AWS', async () => {
    await put(['before', 'first', 'second', 'at the end'], base - 1);
    const reader = new CloudWatchLogContextReader({ client });
    const events = await reader.readWindow({
      logGroup,
      logStream,
      startMs: base,
      endMs: base + 2,
      coverMs: base + 2,
    });
    expect(events.map((e) => e.message)).toEqual(['first', 'second']);
  });

  it('stops when the forward token comes back unchanged at the end of the stream', async () => {
    await put(REPORT, base);
    const reader = new CloudWatchLogContextReader({ client, maxPages: 5 });
    // The kill is not in the window: the reader reads until GetLogEvents says there is no more.
    const events = await reader.readWindow({
      logGroup,
      logStream,
      startMs: base,
      endMs: base + 60_000,
      coverMs: base + 60_000,
    });
    expect(events).toHaveLength(REPORT.length);
    expect(calls).toBe(2);
  });

  it('pages through a window larger than one page, up to the kill', async () => {
    // A storm of lines before the kill: more than one page (10,000 events, or 1 MB in AWS; moto counts events only).
    const storm = Array.from({ length: 12_000 }, (_, i) => REPORT[i % (REPORT.length - 1)] ?? NOISE);
    await put([...storm, ...REPORT.slice(-1)], base);
    const kill = base + storm.length;
    const window = { logGroup, logStream, startMs: base, endMs: kill + 1, coverMs: kill };
    const all = await new CloudWatchLogContextReader({ client, maxPages: 3 }).readWindow(window);
    expect(all).toHaveLength(12_001);
    expect(all.at(-1)?.message).toBe(REPORT.at(-1));
    expect(calls).toBeGreaterThanOrEqual(2);

    calls = 0;
    const bounded = await new CloudWatchLogContextReader({ client, maxPages: 1 }).readWindow(window);
    expect(calls).toBe(1);
    expect(bounded.length).toBeLessThan(12_001);
    expect(bounded.map((e) => e.message)).toEqual(all.slice(0, bounded.length).map((e) => e.message));
  });

  it('reads no further once a page reached the kill, though the window goes on', async () => {
    // Lines follow the kill within the window: without the kill check, the reader would ask once more to learn
    // that the stream ended (as in the test above).
    await put([...REPORT, NOISE, NOISE], base);
    const kill = base + REPORT.length - 1;
    const reader = new CloudWatchLogContextReader({ client, maxPages: 3 });
    const events = await reader.readWindow({
      logGroup,
      logStream,
      startMs: base,
      endMs: base + 20_000,
      coverMs: kill,
    });
    expect(calls).toBe(1);
    expect(events.map((e) => e.message)).toEqual([...REPORT, NOISE, NOISE]);
  });

  it('reads the report on a budget of one call, and refuses the next read without calling', async () => {
    await put(REPORT, base);
    const kill = base + REPORT.length - 1;
    const budget = new ContextReadBudget({ ...DEFAULT_CONTEXT_READ_LIMITS, maxCalls: 1 }, () => 60_000);
    const reader = new CloudWatchLogContextReader({ client, budget });
    const window = { logGroup, logStream, startMs: base, endMs: kill + 1, coverMs: kill };
    expect((await reader.readWindow(window)).map((e) => e.message)).toEqual(REPORT);
    await expect(reader.readWindow(window)).rejects.toMatchObject({ reason: 'budget' });
    expect(calls).toBe(1);
  });

  it('rejects with CloudWatch Logs’ own error for a stream that does not exist', async () => {
    const reader = new CloudWatchLogContextReader({ client });
    await expect(
      reader.readWindow({
        logGroup,
        logStream: 'i-0ffffffffffffffff',
        startMs: base,
        endMs: base + 1,
        coverMs: base,
      }),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
