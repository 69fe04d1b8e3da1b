import { CONNECT_ERRORS, WebhookSlackNotifier } from '../../functions/adapters/slack/webhook-notifier';
import type { SlackMessage } from '../../functions/core/render/slack-blocks';
import type { SlackNotifier, SlackPostResult } from '../../functions/core/respond/notify-ports';

/**
 * The Slack webhook for a replay: the deployed adapter (429 after Retry-After, 5xx with backoff, the URL never in
 * a detail), with two differences a person at a terminal needs. A connection that cannot be opened (no network,
 * no DNS, a closed port) ends the post at once instead of three retries with backoff, which took 7 s per incident
 * offline; and nothing is answered as "retry later", since a replay has no later invocation: what the Lambda
 * would leave to the workflow's retry is a failure here, with its reason.
 */
export class ReplaySlackNotifier implements SlackNotifier {
  private readonly webhook: WebhookSlackNotifier;
  /** The connect error of the post under way, if its connection could not be opened. */
  private connectError: string | null = null;

  constructor(url: string, fetchImpl: typeof fetch = fetch) {
    this.webhook = new WebhookSlackNotifier({
      webhookUrl: async () => url,
      fetch: (input, init) => this.fetchOnce(fetchImpl, input, init),
    });
  }

  async post(message: SlackMessage, options?: { budgetMs?: number }): Promise<SlackPostResult> {
    this.connectError = null;
    const result = await this.webhook.post(message, options);
    if (result.ok) return result;
    if (this.connectError !== null) {
      return {
        ok: false,
        retryable: false,
        detail: `could not connect to the webhook (${this.connectError}): nothing was posted`,
      };
    }
    return { ...result, retryable: false };
  }

  /**
   * fetch, but a connection that could not be opened is thrown without its `cause` code: the adapter then takes
   * it for a request that could not be made and does not retry it. The code is kept for the detail.
   */
  private async fetchOnce(
    fetchImpl: typeof fetch,
    input: Parameters<typeof fetch>[0],
    init: Parameters<typeof fetch>[1],
  ): Promise<Response> {
    try {
      return await fetchImpl(input, init);
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      if (typeof code === 'string' && CONNECT_ERRORS.has(code)) {
        this.connectError = code;
        throw new Error('could not connect');
      }
      throw error;
    }
  }
}
