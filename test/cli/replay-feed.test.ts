import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReplayInstanceDirectory, ReplayLogContext } from '../../cli/replay/detect-ports';
import { REPLAY_LOG_GROUP, replayFeed } from '../../cli/replay/feed';
import { lineClock, lineTimes } from '../../cli/replay/timeline';
import { encodeSubscriptionEvent } from '../../functions/core/cloudwatch/subscription-payload';
import { secretScrubber as scrubber } from '../../functions/core/render/redaction/secret-scrubber';
import { KERNEL_CORPUS } from '../support/corpus';

const NOW = Date.parse('2026-11-25T18:00:00Z');
const CLOCK = { nowMs: NOW, referenceDate: new Date(NOW), bootMs: null };
const read = (name: string): string => readFileSync(`${KERNEL_CORPUS}transports/${name}`, 'utf8');

describe('the time each replayed line is shipped at', () => {
  it('says which times it made up: uptime stamps of another boot, and lines with no time at all', () => {
    const boot = NOW - 3_600_000;
    const dmesg = ['[  321.765083] python3 invoked oom-killer', '[  321.765330] Killed process 3920'];
    // Another host's boot (no --host-exec): the stamps say seconds after a boot the replay cannot date.
    expect(lineClock(dmesg, CLOCK).map((time) => time.madeUp)).toEqual([true, true]);
    // This host's own boot: the kill's real time.
    expect(lineClock(dmesg, { ...CLOCK, bootMs: boot }).map((time) => time.madeUp)).toEqual([false, false]);
    // A line's own date is never made up; a line with none inherits the line before it, or now (made up).
    const syslog = 'Nov 25 17:30:50 web-1 kernel: Killed process 3920 (python3)';
    expect(lineClock([syslog, 'continuation'], CLOCK).map((time) => time.madeUp)).toEqual([false, false]);
    expect(lineClock(['no time at all'], CLOCK)).toEqual([{ ms: NOW, madeUp: true }]);
  });

  it('places /dev/kmsg uptime stamps on this host’s boot clock when they fit in its uptime', () => {
    const boot = NOW - 3_600_000;
    const times = lineTimes(
      ['4,822,321765083,-;python3 invoked oom-killer', '3,899,321765330,-;Killed process 3920'],
      {
        ...CLOCK,
        bootMs: boot,
      },
    );
    expect(times).toEqual([boot + 321_765, boot + 321_765]);
  });

  it('puts the last uptime stamp at now when the stamps are not this host’s (or exceed its uptime)', () => {
    const lines = ['[  100.000000] first', '[  160.500000] last'];
    expect(lineTimes(lines, CLOCK)).toEqual([NOW - 60_500, NOW]);
    expect(lineTimes(lines, { ...CLOCK, bootMs: NOW - 100_000 })).toEqual([NOW - 60_500, NOW]);
  });

  it('lays the boots of a log that holds several end to end, so their lines never interleave', () => {
    const lines = ['[ 5000.000000] a', '[ 5001.000000] b', '[  100.000000] c', '[  160.000000] d'];
    expect(lineTimes(lines, CLOCK)).toEqual([NOW - 121_000, NOW - 120_000, NOW - 60_000, NOW]);
  });

  it('keeps a line’s own wall-clock time, and gives a line without one the time of the line before', () => {
    const times = lineTimes(
      [
        '2026-11-25T17:30:50.072761+00:00 vm kernel: a',
        'continued without a stamp',
        'Nov 25 17:31:00 vm kernel: b',
      ],
      CLOCK,
    );
    expect(times).toEqual([
      Date.parse('2026-11-25T17:30:50.072Z'),
      Date.parse('2026-11-25T17:30:50.072Z'),
      Date.parse('2026-11-25T17:31:00Z'),
    ]);
  });

  it('reads a journal record’s __REALTIME_TIMESTAMP', () => {
    const [first = ''] = read('captured-6.18-journald-json.log').split('\n');
    const micros = (JSON.parse(first) as { __REALTIME_TIMESTAMP: string }).__REALTIME_TIMESTAMP;
    expect(lineTimes([first], CLOCK)).toEqual([Math.floor(Number(micros) / 1000)]);
  });

  it('reads lines with no time at all as arriving now', () => {
    expect(lineTimes(['Killed process 1 (x)', 'plain'], CLOCK)).toEqual([NOW, NOW]);
  });
});

describe('the replay feed', () => {
  it('makes a log file one stream, of which the detector receives only what the subscription filter passes', () => {
    const text = read('captured-6.18-rsyslog-imklog-rfc3164.log');
    const feed = replayFeed([{ name: '/var/log/kern.log', text }], CLOCK);

    expect(feed.streams).toHaveLength(1);
    expect(feed.streams[0]).toMatchObject({ logGroup: REPLAY_LOG_GROUP, logStream: 'kern.log' });
    expect(feed.streams[0]?.events).toHaveLength(text.trimEnd().split('\n').length);
    expect(feed.batches).toHaveLength(1);
    expect(feed.batches[0]?.logEvents.map((event) => event.message.replace(/^.*\] /, ''))).toEqual([
      'python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      expect.stringMatching(/^oom-kill:constraint=CONSTRAINT_MEMCG/),
      expect.stringMatching(/^Memory cgroup out of memory: Killed process 3920 \(python3\)/),
    ]);
  });

  it('delivers a saved subscription event as it is, skips a control message, and reports a broken one', () => {
    const batch = {
      messageType: 'DATA_MESSAGE' as const,
      owner: '123456789012',
      logGroup: '/ec2/kernel',
      logStream: 'i-0abc1234def567890',
      subscriptionFilters: ['oom'],
      logEvents: [{ id: '1', timestamp: 1, message: 'Killed process 1 (x)' }],
    };
    const text = [
      JSON.stringify(encodeSubscriptionEvent(batch), null, 2),
      JSON.stringify(encodeSubscriptionEvent({ ...batch, messageType: 'CONTROL_MESSAGE' })),
      JSON.stringify({ awslogs: { data: 'bm90IGd6aXA=' } }),
    ].join('\n');
    const feed = replayFeed([{ name: 'event.json', text }], CLOCK);

    expect(feed.batches).toEqual([batch]);
    expect(feed.problems).toEqual(['event.json: skipped a CloudWatch payload: awslogs.data is not gzip']);
  });

  it('reads `journalctl -o json-pretty` output as one journal record a line', () => {
    const feed = replayFeed(
      [{ name: 'journal.json', text: read('captured-6.18-journald-json-pretty.log') }],
      CLOCK,
    );
    const events = feed.streams[0]?.events ?? [];
    expect(events.every((event) => event.message.startsWith('{"'))).toBe(true);
    expect(feed.batches[0]?.logEvents.some((e) => e.message.includes('Killed process 3920'))).toBe(true);
  });
});

describe('the replay’s detect ports', () => {
  it('serves a stream’s lines within a window, start included and end excluded, oldest first', async () => {
    const events = [10, 20, 30, 40].map((timestamp) => ({
      id: String(timestamp),
      timestamp,
      message: `m${timestamp}`,
    }));
    const logs = new ReplayLogContext([{ logGroup: 'g', logStream: 's', events }]);
    const window = { logGroup: 'g', logStream: 's', startMs: 20, endMs: 40, coverMs: 30 };

    expect(await logs.readWindow(window)).toEqual([
      { timestamp: 20, message: 'm20' },
      { timestamp: 30, message: 'm30' },
    ]);
    expect(await logs.readWindow({ ...window, logStream: 'other' })).toEqual([]);
  });

  it('resolves every host to this one with --host-exec, keeping which host the log named', async () => {
    const local = new ReplayInstanceDirectory({ kind: 'this-host', hostname: 'web-1' });
    expect(await local.resolve({ logStream: 'kern.log', hostname: null })).toMatchObject({
      instanceId: 'local',
      name: 'web-1',
    });
    expect(await local.resolve({ logStream: 'kern.log', hostname: 'web-1' })).toMatchObject({
      instanceId: 'local',
    });
    expect(await local.resolve({ logStream: 'kern.log', hostname: 'db-2' })).toMatchObject({
      instanceId: 'local:db-2',
      hostname: 'db-2',
      name: 'web-1',
    });
  });

  it('resolves a stand-in instance per host without it, or the instance id the log names', async () => {
    const sample = new ReplayInstanceDirectory({ kind: 'sample' });
    expect(await sample.resolve({ logStream: 'i-0abc1234def567890', hostname: 'web-1' })).toMatchObject({
      instanceId: 'i-0abc1234def567890',
      resolvedBy: 'stream-name',
    });
    expect(await sample.resolve({ logStream: 'kern.log', hostname: 'web-1' })).toMatchObject({
      instanceId: 'sample-1',
    });
    expect(await sample.resolve({ logStream: 'kern.log', hostname: 'db-2' })).toMatchObject({
      instanceId: 'sample-2',
    });
    expect(await sample.resolve({ logStream: 'kern.log', hostname: 'web-1' })).toMatchObject({
      instanceId: 'sample-1',
    });
  });
});

describe('the webhook scrubber', () => {
  it('hides the webhook URL and its secret path, and leaves other text alone', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX';
    const scrub = scrubber(url);
    expect(scrub(`posting to ${url} failed: 404 for /services/T000/B000/XXXXXXXXXXXXXXXX`)).toBe(
      'posting to <slack webhook> failed: 404 for <slack webhook>',
    );
    expect(scrubber('http://127.0.0.1:9/x')('cgroup /x/y')).toBe('cgroup /x/y');
    expect(scrubber(null)('text')).toBe('text');
  });
});
