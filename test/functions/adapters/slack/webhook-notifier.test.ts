import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type WebhookNotifierProps,
  WebhookSlackNotifier,
} from '../../../../functions/adapters/slack/webhook-notifier';
import { header, type SlackMessage, section } from '../../../../functions/core/render/slack-blocks';
import { closedPortUrl, type FakeSlack, startFakeSlack, WEBHOOK_PATH } from '../../../support/slack-server';

const message: SlackMessage = {
  text: 'OOM kill: java (pid 4242) on web-1 (i-0a1b2c3d4e5f60789)',
  blocks: [
    header(':warning: OOM kill: java (pid 4242) on web-1 (i-0a1b2c3d4e5f60789)'),
    section('*Likely cause:* the JVM heap (-Xmx 6 GiB) is larger than the host can give'),
  ],
};

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

/** Everything written to the console during a test, to prove the URL is never logged. */
let logged: string[];
beforeEach(() => {
  slack.requests.length = 0;
  slack.reply({ status: 200, body: 'ok' });
  logged = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

function notifier(props: Partial<WebhookNotifierProps> & { url?: string } = {}) {
  const waits: number[] = [];
  const { url, ...rest } = props;
  const target = url ?? slack.url;
  return {
    waits,
    notifier: new WebhookSlackNotifier({
      webhookUrl: async () => target,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...rest,
    }),
  };
}

/** The URL, and its secret path on its own, appear nowhere: not in the result, not on the console. */
function expectNoLeak(result: unknown, url = slack.url): void {
  const seen = `${JSON.stringify(result)}\n${logged.join('\n')}`;
  expect(seen).not.toContain(url);
  expect(seen).not.toContain(WEBHOOK_PATH);
  expect(seen).not.toContain('XXXXSECRET');
}

describe('WebhookSlackNotifier', () => {
  it('posts the message once as JSON, and reports success', async () => {
    const { notifier: post, waits } = notifier();
    const result = await post.post(message);
    expect(result).toEqual({ ok: true });
    expect(slack.requests).toHaveLength(1);
    expect(slack.delivered()).toBe(1);
    const [request] = slack.requests;
    expect(request?.path).toBe(WEBHOOK_PATH);
    expect(request?.contentType).toMatch(/^application\/json/);
    expect(request?.body).toEqual(message);
    expect(request?.body).toMatchObject({ text: expect.any(String), blocks: expect.any(Array) });
    expect(waits).toEqual([]);
    expectNoLeak(result);
  });

  it('waits as long as a 429 says in Retry-After, then delivers once', async () => {
    slack.reply(
      { status: 429, body: 'rate_limited', headers: { 'Retry-After': '1' } },
      { status: 200, body: 'ok' },
    );
    const { notifier: post, waits } = notifier();
    const result = await post.post(message);
    expect(result).toEqual({ ok: true });
    expect(waits).toEqual([1000]);
    expect(slack.requests.map((r) => r.answered)).toEqual([429, 200]);
    expect(slack.delivered()).toBe(1);
    expectNoLeak(result);
  });

  it('caps a long Retry-After at maxRetryAfterMs', async () => {
    slack.reply(
      { status: 429, body: 'rate_limited', headers: { 'Retry-After': '120' } },
      { status: 200, body: 'ok' },
    );
    const { notifier: post, waits } = notifier({ maxRetryAfterMs: 30_000 });
    expect(await post.post(message)).toEqual({ ok: true });
    expect(waits).toEqual([30_000]);
  });

  it('gives up after maxAttempts when Slack keeps answering 429, as a retryable failure', async () => {
    slack.reply({ status: 429, body: 'rate_limited', headers: { 'Retry-After': '2' } });
    const { notifier: post, waits } = notifier({ maxAttempts: 3 });
    const result = await post.post(message);
    expect(result).toEqual({
      ok: false,
      retryable: true,
      detail: 'gave up after 3 attempts: Slack answered 429 rate_limited',
    });
    expect(waits).toEqual([2000, 2000]);
    expect(slack.requests).toHaveLength(3);
    expect(slack.delivered()).toBe(0);
    expectNoLeak(result);
  });

  /** A notifier on a fake clock: each sleep moves it on, so a 30 s Retry-After takes no real time. */
  function onFakeClock(props: Partial<WebhookNotifierProps> = {}) {
    let now = 1_000_000;
    const waits: number[] = [];
    const post = new WebhookSlackNotifier({
      webhookUrl: async () => slack.url,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
      ...props,
    });
    return { post, waits, elapsed: () => now - 1_000_000 };
  }

  it('ends a 429 with Retry-After 30 inside a 55 s budget instead of sleeping past it', async () => {
    slack.reply({ status: 429, body: 'rate_limited', headers: { 'Retry-After': '30' } });
    const { post, waits, elapsed } = onFakeClock();
    const result = await post.post(message, { budgetMs: 55_000 });
    expect(result).toEqual({
      ok: false,
      retryable: true,
      detail: "Slack answered 429 rate_limited; the next attempt (in 30 s) is past this invocation's time",
    });
    // One wait of 30 s fitted; a second would have ended at 60 s, past the budget.
    expect(waits).toEqual([30_000]);
    expect(elapsed()).toBeLessThanOrEqual(55_000);
    expect(slack.requests.map((r) => r.answered)).toEqual([429, 429]);
    expectNoLeak(result);
  });

  it('delivers after a Retry-After that fits the budget', async () => {
    slack.reply(
      { status: 429, body: 'rate_limited', headers: { 'Retry-After': '30' } },
      { status: 200, body: 'ok' },
    );
    const { post, waits } = onFakeClock();
    expect(await post.post(message, { budgetMs: 55_000 })).toEqual({ ok: true });
    expect(waits).toEqual([30_000]);
    expect(slack.delivered()).toBe(1);
  });

  it('stops backing off after 5xx when the next wait would pass the budget', async () => {
    slack.reply({ status: 503, body: 'service_unavailable' });
    const { post, waits, elapsed } = onFakeClock();
    const result = await post.post(message, { budgetMs: 3_500 });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(waits).toEqual([1000]);
    expect(elapsed()).toBeLessThan(3_500);
    expect(slack.requests).toHaveLength(2);
  });

  it('makes no attempt when less than an attempt’s time is left', async () => {
    const { post } = onFakeClock();
    const result = await post.post(message, { budgetMs: 500 });
    expect(result).toEqual({
      ok: false,
      retryable: true,
      detail: 'out of time after 0 attempts: not attempted',
    });
    expect(slack.requests).toHaveLength(0);
  });

  it('cuts the attempt’s own timeout to the budget left, so a hung Slack never outlives it', async () => {
    slack.reply('hang');
    const post = new WebhookSlackNotifier({ webhookUrl: async () => slack.url, timeoutMs: 10_000 });
    const started = Date.now();
    const result = await post.post(message, { budgetMs: 1_300 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ ok: false, retryable: false, uncertain: true });
    expect(slack.requests).toHaveLength(1);
    expectNoLeak(result);
  });

  it('backs off after a 5xx and delivers once on the next attempt', async () => {
    slack.reply({ status: 500, body: 'internal_error' }, { status: 200, body: 'ok' });
    const { notifier: post, waits } = notifier();
    const result = await post.post(message);
    expect(result).toEqual({ ok: true });
    expect(waits).toEqual([1000]);
    expect(slack.requests.map((r) => r.answered)).toEqual([500, 200]);
    expect(slack.delivered()).toBe(1);
    expectNoLeak(result);
  });

  it('doubles the backoff after each further 5xx', async () => {
    slack.reply({ status: 503, body: 'service_unavailable' });
    const { notifier: post, waits } = notifier();
    const result = await post.post(message);
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(waits).toEqual([1000, 2000, 4000]);
    expect(slack.requests).toHaveLength(4);
    expectNoLeak(result);
  });

  it.each([
    [400, 'invalid_blocks'],
    [400, 'invalid_payload'],
    [403, 'action_prohibited'],
    [404, 'no_service'],
    [410, 'channel_is_archived'],
  ])('does not retry a %i %s, and reports Slack’s error code', async (status, code) => {
    slack.reply({ status, body: code });
    const { notifier: post, waits } = notifier();
    const result = await post.post(message);
    expect(result).toEqual({ ok: false, retryable: false, detail: `Slack answered ${status} ${code}` });
    expect(slack.requests).toHaveLength(1);
    expect(waits).toEqual([]);
    expectNoLeak(result);
  });

  it('scrubs the webhook URL and its path from an error body that echoes them', async () => {
    slack.reply({ status: 400, body: `invalid_token for ${slack.url} (path ${WEBHOOK_PATH})` });
    const { notifier: post } = notifier();
    const result = await post.post(message);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(JSON.stringify(result)).toContain('invalid_token');
    expectNoLeak(result);
  });

  it('records a request Slack never answers as failed, once, without retrying (it may have been posted)', async () => {
    slack.reply('hang');
    const { notifier: post, waits } = notifier({ timeoutMs: 200 });
    const result = await post.post(message);
    expect(result).toEqual({
      ok: false,
      retryable: false,
      uncertain: true,
      detail: 'no answer within 200 ms (the message may or may not have been posted)',
    });
    expect(slack.requests).toHaveLength(1);
    expect(waits).toEqual([]);
    expectNoLeak(result);
  });

  it('does not retry a connection dropped after the request was sent (it may have been posted)', async () => {
    slack.reply('drop-connection');
    const { notifier: post, waits } = notifier();
    const result = await post.post(message);
    expect(result).toMatchObject({ ok: false, retryable: false, uncertain: true });
    expect(result.ok ? '' : result.detail).toContain('may or may not have been posted');
    expect(slack.requests).toHaveLength(1);
    expect(waits).toEqual([]);
    expectNoLeak(result);
  });

  it('retries a connection that was refused, then reports the failure', async () => {
    const url = await closedPortUrl();
    const { notifier: post, waits } = notifier({ url });
    const result = await post.post(message);
    expect(result).toEqual({
      ok: false,
      retryable: true,
      detail: 'gave up after 4 attempts: could not connect (ECONNREFUSED)',
    });
    expect(waits).toEqual([1000, 2000, 4000]);
    expectNoLeak(result, url);
  });

  it('reports a secret that holds no URL without retrying, and without its value', async () => {
    const { notifier: post, waits } = notifier({ url: 'T000/B000/XXXXSECRET' });
    const result = await post.post(message);
    expect(result).toEqual({
      ok: false,
      retryable: false,
      detail: 'the webhook secret does not hold a URL',
    });
    expect(waits).toEqual([]);
    expectNoLeak(result, 'T000/B000/XXXXSECRET');
  });

  it('reports a secret that cannot be read as a clean failure, without the URL or the error’s message', async () => {
    const post = new WebhookSlackNotifier({
      webhookUrl: async () => {
        throw Object.assign(new Error(`could not decrypt ${slack.url}`), { name: 'DecryptionFailure' });
      },
    });
    const result = await post.post(message);
    expect(result).toEqual({
      ok: false,
      retryable: true,
      detail: 'could not read the webhook secret: DecryptionFailure',
    });
    expect(slack.requests).toHaveLength(0);
    expectNoLeak(result);
  });
});
