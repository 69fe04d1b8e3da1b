import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryIncidentStore } from '../../../../functions/adapters/memory/incident-store';
import type { ChannelDelivery } from '../../../../functions/core/incident/model';
import {
  type ChannelJob,
  type DeliveryContext,
  deliverOnce,
  giveUp,
  type SendOutcome,
} from '../../../../functions/core/respond/channel-delivery';
import type { DeliveryStore } from '../../../../functions/core/respond/notify-ports';
import { realKill, recordRequest } from '../../../support/kills';

const T0 = Date.parse('2026-11-25T18:28:15Z');

let store: MemoryIncidentStore;
let id: string;
let sends: number;
beforeEach(async () => {
  store = new MemoryIncidentStore();
  const request = recordRequest('i-0a1b2c3d4e5f60789', [{ kill: realKill(), observedAtMs: T0 }]);
  await store.recordKills(request);
  id = request.incident.id;
  sends = 0;
});

function ctx(token: string, nowMs = T0, over: Partial<DeliveryContext> = {}): DeliveryContext {
  return {
    store,
    incidentId: id,
    token,
    nowMs: () => nowMs,
    deadlineMs: nowMs + 60_000,
    sleep: async () => {},
    ...over,
  };
}

function job(outcome: SendOutcome): ChannelJob {
  return {
    channel: 'slack',
    message: 'incident',
    send: async () => {
      sends++;
      return outcome;
    },
  };
}

const current = async () => (await store.getIncident(id))?.deliveries?.slack;

describe('deliverOnce', () => {
  it('claims, sends and records a channel, then leaves it alone', async () => {
    const first = await deliverOnce(ctx('a'), job({ status: 'sent', messageId: null }), undefined);
    expect(first).toMatchObject({ waiting: null, delivery: { status: 'sent', attempts: 1, untilMs: null } });
    const again = await deliverOnce(ctx('b'), job({ status: 'sent', messageId: null }), await current());
    expect(again.delivery.status).toBe('sent');
    expect(sends).toBe(1);
  });

  it('waits for another invocation’s live claim instead of sending too', async () => {
    await store.claimDelivery(id, 'slack', { ...claimOf('a'), untilMs: T0 + 60_000 });
    const result = await deliverOnce(
      ctx('b', T0 + 10_000),
      job({ status: 'sent', messageId: null }),
      await current(),
    );
    expect(result.waiting).toBe('another invocation is sending it');
    expect(sends).toBe(0);
  });

  it('turns an expired claim into unknown (it may have gone out) and never sends it again', async () => {
    await store.claimDelivery(id, 'slack', claimOf('a'));
    const result = await deliverOnce(
      ctx('b', T0 + 61_000),
      job({ status: 'sent', messageId: null }),
      await current(),
    );
    expect(result).toMatchObject({ waiting: null, delivery: { status: 'unknown' } });
    expect(result.delivery.detail).toContain('not sent again');
    expect(sends).toBe(0);
  });

  it('claims a pending channel again, counting the attempt, and gives up on it when told', async () => {
    await deliverOnce(ctx('a'), job({ status: 'pending', detail: 'Slack answered 429' }), undefined);
    const second = await deliverOnce(
      ctx('b'),
      job({ status: 'pending', detail: 'Slack answered 429' }),
      await current(),
    );
    expect(second.delivery).toMatchObject({ status: 'pending', attempts: 2, token: 'b' });
    const gaveUp = await giveUp(ctx('b'), second);
    expect(gaveUp.delivery).toMatchObject({
      status: 'failed',
      detail: 'gave up after 2 attempts: Slack answered 429',
    });
    expect((await current())?.status).toBe('failed');
  });

  it('retries a failed record write, and says so when it never lands, without sending again', async () => {
    let failures = 5;
    const flaky: DeliveryStore = Object.assign(Object.create(store) as DeliveryStore, {
      settleDelivery: async (...args: Parameters<DeliveryStore['settleDelivery']>) => {
        if (failures-- > 0) throw new Error('ProvisionedThroughputExceededException');
        return store.settleDelivery(...args);
      },
    });
    const waits: number[] = [];
    const result = await deliverOnce(
      ctx('a', T0, { store: flaky, sleep: async (ms) => void waits.push(ms) }),
      job({ status: 'sent', messageId: null }),
      undefined,
    );
    expect(result.waiting).toBe('it went out but the record was not written');
    expect(waits).toEqual([250, 1000]);
    expect(sends).toBe(1);
    expect((await current())?.status).toBe('sending');
  });
});

function claimOf(token: string): ChannelDelivery {
  return {
    status: 'sending',
    message: 'incident',
    attempts: 1,
    at: new Date(T0).toISOString(),
    detail: null,
    messageId: null,
    token,
    untilMs: T0 + 60_000,
  };
}
