import { secretScrubber } from '../../core/render/redaction/secret-scrubber';
import type { SlackMessage } from '../../core/render/slack-blocks';
import type { SlackNotifier, SlackPostResult } from '../../core/respond/notify-ports';

export interface WebhookNotifierProps {
  /** Returns the webhook URL (from Secrets Manager, cached); never logged, never put in an error. */
  webhookUrl: () => Promise<string>;
  /** Per attempt. @default 5 s */
  timeoutMs?: number;
  /** Attempts for 429 and 5xx. @default 4 */
  maxAttempts?: number;
  /** Longest wait honoured from Retry-After. @default 30 s */
  maxRetryAfterMs?: number;
  /** Shortest time worth starting an attempt in: a budget with less left ends the post. @default 1 s */
  minAttemptMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The clock budgets are measured on (tests pass a fake one with `sleep`). @default Date.now */
  now?: () => number;
  fetch?: typeof fetch;
}

/**
 * Posts a Block Kit message to a Slack incoming webhook, once. Retries what Slack did not take: 429 after its
 * Retry-After, 5xx with backoff, and connections that never opened. Does not retry 4xx (the payload or the hook is
 * wrong: Slack's error code is reported, e.g. `invalid_blocks`, `no_service`), nor a request that timed out
 * after it was sent (it may have been posted: a retry could post it twice; answered `uncertain`). With a budget,
 * no attempt and no wait runs past it: a Retry-After longer than what is left ends the post as retryable, for the
 * next invocation, instead of outliving the Lambda. The URL's secret path never appears in what it returns.
 */
export class WebhookSlackNotifier implements SlackNotifier {
  private readonly props: Required<Omit<WebhookNotifierProps, 'fetch' | 'sleep' | 'now'>> & {
    fetch: typeof fetch;
    sleep: (ms: number) => Promise<void>;
    now: () => number;
  };

  constructor(props: WebhookNotifierProps) {
    this.props = {
      webhookUrl: props.webhookUrl,
      timeoutMs: props.timeoutMs ?? 5000,
      maxAttempts: props.maxAttempts ?? 4,
      maxRetryAfterMs: props.maxRetryAfterMs ?? 30_000,
      minAttemptMs: props.minAttemptMs ?? 1000,
      fetch: props.fetch ?? fetch,
      sleep: props.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: props.now ?? Date.now,
    };
  }

  async post(message: SlackMessage, options: { budgetMs?: number } = {}): Promise<SlackPostResult> {
    const deadline = this.props.now() + (options.budgetMs ?? Number.POSITIVE_INFINITY);
    let url: string;
    try {
      url = await this.props.webhookUrl();
    } catch (error) {
      return {
        ok: false,
        retryable: true,
        detail: `could not read the webhook secret: ${(error as Error).name}`,
      };
    }
    if (!URL.canParse(url)) {
      // A misconfigured secret (a name, a JSON document): no attempt can succeed, and its value stays out.
      return { ok: false, retryable: false, detail: 'the webhook secret does not hold a URL' };
    }
    const body = JSON.stringify(message);
    const scrub = secretScrubber(url);
    let last = 'not attempted';
    for (let attempt = 1; attempt <= this.props.maxAttempts; attempt++) {
      const left = deadline - this.props.now();
      if (left < this.props.minAttemptMs)
        return {
          ok: false,
          retryable: true,
          detail: scrub(`out of time after ${attempt - 1} attempts: ${last}`),
        };
      const outcome = await this.attempt(url, body, Math.min(this.props.timeoutMs, left));
      if (outcome.kind === 'ok') return { ok: true };
      last = outcome.detail;
      if (outcome.kind !== 'retry') {
        return outcome.kind === 'uncertain'
          ? { ok: false, retryable: false, uncertain: true, detail: scrub(outcome.detail) }
          : { ok: false, retryable: false, detail: scrub(outcome.detail) };
      }
      if (attempt === this.props.maxAttempts) break;
      const wait = outcome.waitMs ?? 1000 * 2 ** (attempt - 1);
      // Never sleep past the budget: what Slack wants later, a later invocation does.
      if (this.props.now() + wait + this.props.minAttemptMs > deadline) {
        return {
          ok: false,
          retryable: true,
          detail: scrub(
            `${last}; the next attempt (in ${Math.ceil(wait / 1000)} s) is past this invocation's time`,
          ),
        };
      }
      await this.props.sleep(wait);
    }
    return {
      ok: false,
      retryable: true,
      detail: secretScrubber(url)(`gave up after ${this.props.maxAttempts} attempts: ${last}`),
    };
  }

  private async attempt(
    url: string,
    body: string,
    timeoutMs: number,
  ): Promise<
    | { kind: 'ok' }
    | { kind: 'retry'; detail: string; waitMs?: number }
    | { kind: 'final' | 'uncertain'; detail: string }
  > {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    try {
      response = await this.props.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: controller.signal,
        redirect: 'error',
      });
    } catch (error) {
      clearTimeout(timer);
      if (controller.signal.aborted) {
        return {
          kind: 'uncertain',
          detail: `no answer within ${timeoutMs} ms (the message may or may not have been posted)`,
        };
      }
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      // fetch refused to make the request at all (a forbidden port, a malformed URL): nothing was sent.
      if (cause === undefined)
        return { kind: 'final', detail: `the request could not be made (${(error as Error).name})` };
      const code = cause;
      // The request never reached Slack: safe to try again.
      if (CONNECT_ERRORS.has(code)) return { kind: 'retry', detail: `could not connect (${code})` };
      // The connection broke once it was open (reset, closed mid-answer): Slack may have the message already.
      return {
        kind: 'uncertain',
        detail: `the connection failed (${code}); the message may or may not have been posted`,
      };
    }
    let text = '';
    try {
      text = (await response.text()).trim().slice(0, 200);
    } catch {
      // The status is what matters; a body that breaks off is no reason to retry a post Slack answered.
    } finally {
      clearTimeout(timer);
    }
    if (response.ok) return { kind: 'ok' };
    const detail = `Slack answered ${response.status}${text ? ` ${text}` : ''}`;
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after'));
      const waitMs = Math.min(
        Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000,
        this.props.maxRetryAfterMs,
      );
      return { kind: 'retry', detail, waitMs };
    }
    if (response.status >= 500) return { kind: 'retry', detail };
    return { kind: 'final', detail };
  }
}

/**
 * Errors of opening a connection (DNS, TCP, undici's connect timeout): nothing was sent, so a retry is safe; a
 * replay stops at once on them instead (cli/replay/replay-slack.ts).
 */
export const CONNECT_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
