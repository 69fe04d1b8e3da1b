import { randomUUID } from 'node:crypto';
import type { ChannelDelivery, NotificationRecord, NotifyChannel } from '../incident/model';
import { CHANNEL_ATTEMPTS, NotificationFailedError, NotificationIncompleteError } from './notify-errors';
import type { DeliveryStore } from './notify-ports';

/** How one send on one channel came out, as the channel's adapter tells it. */
export type SendOutcome =
  | { status: 'sent'; messageId: string | null }
  | { status: 'pending' | 'failed' | 'unknown'; detail: string };

/** One channel's part of one notify invocation. */
export interface ChannelJob {
  channel: NotifyChannel;
  message: ChannelDelivery['message'];
  send(): Promise<SendOutcome>;
}

/** What one invocation needs to deliver on a channel once: whose record, its claim token, its clock. */
export interface DeliveryContext {
  /** Only the claim and settle writes: an incident's store, or a warning's. */
  store: Pick<DeliveryStore, 'claimDelivery' | 'settleDelivery'>;
  incidentId: string;
  /** This invocation's claim token. */
  token: string;
  nowMs: () => number;
  /** This invocation's deadline (epoch ms): a claim is held until then, and no longer. */
  deadlineMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** A channel after this invocation: its delivery, and why it is not final when it is not. */
export interface ChannelResult {
  channel: NotifyChannel;
  delivery: ChannelDelivery;
  /** Set when the channel still needs a later invocation: held by another one, or its outcome went unrecorded. */
  waiting: string | null;
}

/**
 * A delivery context for one invocation's sends on `incidentId`'s channels: a fresh claim token, the ports' clock
 * and sleeper (a timer by default), and the invocation's deadline.
 */
export function deliveryContext(
  ports: {
    store: Pick<DeliveryStore, 'claimDelivery' | 'settleDelivery'>;
    now: () => Date;
    sleep?: (ms: number) => Promise<void>;
  },
  incidentId: string,
  deadlineMs: number,
): DeliveryContext {
  return {
    store: ports.store,
    incidentId,
    token: randomUUID(),
    nowMs: () => ports.now().getTime(),
    deadlineMs,
    sleep: ports.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
}

/** A channel's delivery that no later invocation changes. */
const FINAL: ReadonlySet<ChannelDelivery['status']> = new Set(['sent', 'failed', 'unknown']);

/** Writes of an outcome tried this often (a write that fails after a send must not turn into a second send). */
const SETTLE_TRIES = 3;

/**
 * Deliver one channel at most once: a final delivery is left alone; a live claim of another invocation is waited
 * for (the step is retried); an expired claim, whose holder ended without recording, may have sent, so it becomes
 * `unknown` and is never sent again; otherwise the channel is claimed, sent and its outcome recorded.
 */
export async function deliverOnce(
  ctx: DeliveryContext,
  job: ChannelJob,
  current: ChannelDelivery | undefined,
): Promise<ChannelResult> {
  const result = (delivery: ChannelDelivery, waiting: string | null = null): ChannelResult => ({
    channel: job.channel,
    delivery,
    waiting,
  });
  if (current && FINAL.has(current.status)) return result(current);
  if (current?.status === 'sending') {
    if ((current.untilMs ?? 0) > ctx.nowMs()) return result(current, 'another invocation is sending it');
    const unknown = settled(current, ctx, {
      status: 'unknown',
      detail: 'an earlier attempt ended without recording whether it went out; not sent again',
    });
    const ok = await ctx.store.settleDelivery(ctx.incidentId, job.channel, current.token ?? '', unknown);
    return ok ? result(unknown) : result(current, 'its record changed while this invocation read it');
  }
  const claim: ChannelDelivery = {
    status: 'sending',
    message: job.message,
    attempts: (current?.attempts ?? 0) + 1,
    at: new Date(ctx.nowMs()).toISOString(),
    detail: null,
    messageId: null,
    token: ctx.token,
    untilMs: ctx.deadlineMs,
  };
  if (!(await ctx.store.claimDelivery(ctx.incidentId, job.channel, claim)))
    return result(current ?? claim, 'another invocation claimed it first');
  const outcome = await job.send();
  const delivery = settled(claim, ctx, outcome);
  return (await settle(ctx, job.channel, delivery))
    ? result(delivery)
    : result(
        delivery,
        `it ${outcome.status === 'sent' ? 'went out' : 'was tried'} but the record was not written`,
      );
}

/** A pending channel that has had its last attempt: recorded as failed, so the incident stops waiting for it. */
export async function giveUp(ctx: DeliveryContext, channel: ChannelResult): Promise<ChannelResult> {
  const failed = settled(channel.delivery, ctx, {
    status: 'failed',
    detail: `gave up after ${channel.delivery.attempts} attempts: ${channel.delivery.detail ?? 'no detail'}`,
  });
  return (await settle(ctx, channel.channel, failed)) ? { ...channel, delivery: failed } : channel;
}

function settled(claim: ChannelDelivery, ctx: DeliveryContext, outcome: SendOutcome): ChannelDelivery {
  return {
    ...claim,
    status: outcome.status,
    at: new Date(ctx.nowMs()).toISOString(),
    detail: outcome.status === 'sent' ? null : outcome.detail,
    messageId: outcome.status === 'sent' ? outcome.messageId : null,
    // A pending channel keeps the token, so this invocation may still give up on it; a final one needs none.
    untilMs: null,
  };
}

async function settle(
  ctx: DeliveryContext,
  channel: NotifyChannel,
  delivery: ChannelDelivery,
): Promise<boolean> {
  for (let attempt = 1; attempt <= SETTLE_TRIES; attempt++) {
    try {
      await ctx.store.settleDelivery(ctx.incidentId, channel, ctx.token, delivery);
      return true;
    } catch {
      const wait = 250 * 4 ** (attempt - 1);
      if (attempt === SETTLE_TRIES || ctx.nowMs() + wait >= ctx.deadlineMs - 1000) return false;
      await ctx.sleep(wait);
    }
  }
  return false;
}

/**
 * Every channel's job, each delivered once (`deliverOnce`). When at least one channel carried the message, a
 * channel still pending after its last attempt is given up on: on-call has heard, and the incident (or warning)
 * should stop waiting for it. With no channel through, the caller's retry keeps trying them all.
 */
export async function deliverAll(
  ctx: DeliveryContext,
  jobs: readonly ChannelJob[],
  stored: Partial<Record<NotifyChannel, ChannelDelivery>> | undefined,
): Promise<ChannelResult[]> {
  const results = await Promise.all(jobs.map((job) => deliverOnce(ctx, job, stored?.[job.channel])));
  if (!carriedBySome(results)) return results;
  return Promise.all(
    results.map((r) =>
      r.delivery.status === 'pending' && r.waiting === null && r.delivery.attempts >= CHANNEL_ATTEMPTS
        ? giveUp(ctx, r)
        : r,
    ),
  );
}

/** Whether some channel carried the message (sent, or sent as far as anyone can tell). */
export function carriedBySome(results: readonly ChannelResult[]): boolean {
  return results.some((r) => r.delivery.status === 'sent' || r.delivery.status === 'unknown');
}

/**
 * The end of a notify step: `NotificationIncompleteError` (retried by the workflow) while a channel has not taken
 * the message or is claimed by another invocation; `NotificationFailedError` when every channel refused for good;
 * otherwise nothing, and the caller records the notification.
 */
export function requireDelivered(
  incidentId: string,
  results: readonly ChannelResult[],
  record: NotificationRecord,
): void {
  const waiting = results.filter((r) => r.waiting !== null || !FINAL.has(r.delivery.status));
  if (waiting.length > 0)
    throw new NotificationIncompleteError(
      incidentId,
      waiting.map((r) => `${r.channel}: ${r.waiting ?? r.delivery.detail ?? r.delivery.status}`),
    );
  if (!carriedBySome(results)) throw new NotificationFailedError(incidentId, record);
}
