import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSubscriptionEvent,
  encodeSubscriptionEvent,
  parseSubscriptionBatch,
  type SubscriptionBatch,
} from '../../../../functions/core/cloudwatch/subscription-payload';
import { MalformedPayloadError } from '../../../../functions/core/errors';
import { DOCUMENTED_CONTROL_MESSAGE } from '../../../support/subscription';

const batch: SubscriptionBatch = {
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/oom-responder/kernel',
  logStream: 'i-0abc1234def567890',
  subscriptionFilters: ['oom-responder'],
  logEvents: [
    {
      id: '37516444594218164406966592290412038135079041373000990720',
      timestamp: 1795627850077,
      message: 'x',
    },
  ],
};
const wrap = (bytes: Buffer) => ({ awslogs: { data: bytes.toString('base64') } });

describe('decodeSubscriptionEvent', () => {
  it('decodes what CloudWatch Logs sends', () => {
    expect(decodeSubscriptionEvent(encodeSubscriptionEvent(batch))).toEqual(batch);
  });

  it.each([
    ['a missing awslogs key', { records: [] }, 'shape'],
    ['data that is not base64', { awslogs: { data: '%%%' } }, 'base64'],
    ['base64 that is not gzip', wrap(Buffer.from('hello')), 'gzip'],
    ['gzip that is not JSON', wrap(gzipSync('not json')), 'json'],
    ['JSON of the wrong shape', wrap(gzipSync(JSON.stringify({ ...batch, logEvents: 'x' }))), 'schema'],
    ['an unknown message type', wrap(gzipSync(JSON.stringify({ ...batch, messageType: 'OTHER' }))), 'schema'],
    [
      'base64 with a space in it',
      { awslogs: { data: `${wrap(gzipSync('{}')).awslogs.data.slice(0, 8)} x` } },
      'base64',
    ],
    ['base64 with a character outside its alphabet', { awslogs: { data: 'H4sI*AAA' } }, 'base64'],
    [
      'a timestamp past the dates JavaScript holds',
      wrap(gzipSync(JSON.stringify({ ...batch, logEvents: [{ id: '1', timestamp: 9e15, message: 'x' }] }))),
      'schema',
    ],
  ])('classifies %s', (_, event, problem) => {
    expect(() => decodeSubscriptionEvent(event)).toThrowError(
      expect.objectContaining({ problem, retryable: false }),
    );
  });

  it('says where the batch departs from the schema', () => {
    const events = [...batch.logEvents, { id: '', timestamp: 1, message: 'x' }];
    expect(() =>
      decodeSubscriptionEvent(wrap(gzipSync(JSON.stringify({ ...batch, logEvents: events })))),
    ).toThrowError(/at logEvents\.1\.id/);
    expect(() => parseSubscriptionBatch({ ...batch, subscriptionFilters: ['a', 2] })).toThrowError(
      /at subscriptionFilters\.1/,
    );
    expect(() => parseSubscriptionBatch([])).toThrowError(/at \(root\)/);
  });

  it('validates a decoded batch in place rather than copying its events', () => {
    const decoded = JSON.parse(JSON.stringify(batch)) as unknown;
    expect(parseSubscriptionBatch(decoded)).toBe(decoded);
  });

  it('stops inflating at the bound, so a gzip bomb cannot exhaust memory', () => {
    const bomb = wrap(gzipSync(Buffer.alloc(64 * 1024 * 1024, 32)));
    expect(bomb.awslogs.data.length).toBeLessThan(200_000);
    expect(() => decodeSubscriptionEvent(bomb, 1024 * 1024)).toThrowError(
      expect.objectContaining({ problem: 'too-large' }),
    );
  });

  it('recognizes a CONTROL_MESSAGE with empty ids, as CloudWatch Logs sends its health check', () => {
    const documented = DOCUMENTED_CONTROL_MESSAGE;
    expect(decodeSubscriptionEvent(wrap(gzipSync(JSON.stringify(documented))))).toEqual({
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [],
    });
    // Whatever else it holds: the message type alone says what it is.
    expect(parseSubscriptionBatch({ messageType: 'CONTROL_MESSAGE', logEvents: 'x' }).logEvents).toEqual([]);
  });

  it('refuses 10 MiB of nested arrays unparsed, as too large', () => {
    const depth = (10 * 1024 * 1024 - 64) / 2;
    const nested = wrap(gzipSync(`${'['.repeat(depth)}${']'.repeat(depth)}`));
    expect(nested.awslogs.data.length).toBeLessThan(20_000);
    expect(() => decodeSubscriptionEvent(nested)).toThrowError(
      expect.objectContaining({ problem: 'too-large', message: expect.stringMatching(/nests JSON deeper/) }),
    );
  });

  it('refuses a batch holding more arrays and objects than log events can, as too large', () => {
    const containers = `{"messageType":"DATA_MESSAGE","logEvents":[${'{},'.repeat(100_000)}{}]}`;
    expect(() => decodeSubscriptionEvent(wrap(gzipSync(containers)))).toThrowError(
      expect.objectContaining({ problem: 'too-large', message: expect.stringMatching(/arrays and objects/) }),
    );
  });

  it('still decodes a batch whose messages hold brackets, quotes and backslashes', () => {
    const tricky = ['['.repeat(40), '"{{{{"', '\\"[[[[', '\\', '}]'.repeat(40), 'x\\"]]]"\\\\'];
    const withTricky: SubscriptionBatch = {
      ...batch,
      logEvents: tricky.map((message, i) => ({ id: String(i + 1), timestamp: 1, message })),
    };
    expect(decodeSubscriptionEvent(encodeSubscriptionEvent(withTricky))).toEqual(withTricky);
  });

  it('classifies every malformed payload instead of throwing anything else', () => {
    const payload = fc.oneof(
      fc.anything(),
      fc.record({ awslogs: fc.record({ data: fc.string() }) }),
      fc.string().map((s) => wrap(Buffer.from(s))),
      fc.string().map((s) => wrap(gzipSync(s))),
      fc.anything().map((value) => wrap(gzipSync(JSON.stringify(value ?? null)))),
      fc
        .record({
          messageType: fc.constantFrom('DATA_MESSAGE', 'CONTROL_MESSAGE', 'x'),
          logEvents: fc.anything(),
        })
        .map((value) => wrap(gzipSync(JSON.stringify({ ...batch, ...value })))),
    );
    fc.assert(
      fc.property(payload, (event) => {
        try {
          decodeSubscriptionEvent(event);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedPayloadError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
