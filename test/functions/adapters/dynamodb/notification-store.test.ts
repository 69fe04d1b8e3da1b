import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { incidentItem, keys } from '../../../../functions/adapters/dynamodb/items';
import { DynamoNotificationStore } from '../../../../functions/adapters/dynamodb/notification-store';
import { MemoryIncidentStore } from '../../../../functions/adapters/memory/incident-store';
import type { ChannelDelivery } from '../../../../functions/core/incident/model';
import type { DeliveryStore } from '../../../../functions/core/respond/notify-ports';
import { skipped } from '../../../support/aws-tools';
import { type LocalDynamo, startLocalDynamo } from '../../../support/dynalite';
import { emptyKeyAttributes } from '../../../support/incident-table';
import { realKill, recordRequest } from '../../../support/kills';
import { startMotoDynamo } from '../../../support/moto-dynamo';
import { moto } from '../../../support/moto-server';

const T0 = Date.parse('2026-11-25T16:58:01Z');
const WINDOW = '2026-11-25T16:55:00.000Z';

interface Subject {
  store: DeliveryStore;
  tableName?: string;
  /** Put an incident as the detector records it (its item, in its storm window); its kill's pid may be given. */
  seed(instanceId: string, atMs: number, pid?: number): Promise<string>;
}

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

/** The incident item and its storm-window index keys, written directly: this suite tests the notifier's part. */
function onTable(local: () => LocalDynamo): () => Promise<Subject> {
  return async () => {
    const tableName = await local().createTable();
    return {
      tableName,
      store: new DynamoNotificationStore({ client: local().client, tableName }),
      seed: async (instanceId, atMs, pid) => {
        const kill = pid === undefined ? realKill() : realKill({ pid, kernelTime: pid });
        const request = recordRequest(instanceId, [{ kill, observedAtMs: atMs }]);
        const { incident } = request;
        await local().client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...incidentItem(incident, instanceId, request.expiresAt),
              ...keys.storm(request.stormWindow, incident.observedAt, incident.id),
            },
          }),
        );
        return incident.id;
      },
    };
  };
}

const inMemory = async (): Promise<Subject> => {
  const store = new MemoryIncidentStore();
  return {
    store,
    seed: async (instanceId, atMs, pid) => {
      const kill = pid === undefined ? realKill() : realKill({ pid, kernelTime: pid });
      const request = recordRequest(instanceId, [{ kill, observedAtMs: atMs }]);
      await store.recordKills(request);
      return request.incident.id;
    },
  };
};

const claim = (token: string, attempts = 1): ChannelDelivery => ({
  status: 'sending',
  message: 'incident',
  attempts,
  at: new Date(T0).toISOString(),
  detail: null,
  messageId: null,
  token,
  untilMs: T0 + 60_000,
});

/**
 * `serializes`: the substrate applies concurrent conditional writes one at a time, as DynamoDB does. moto server
 * does not (its backend checks a condition and writes without a lock, so two concurrent claims can both pass); on
 * it, the concurrency case would test moto, not the store, and fails at random under load.
 */
function deliveryContract(make: () => Promise<Subject>, serializes = true): void {
  let s: Subject;
  beforeEach(async () => {
    s = await make();
  });

  it('lets one invocation claim a channel, and no other while it is claimed or done', async () => {
    const id = await s.seed('i-0123456789abcdef0', T0);
    expect(await s.store.claimDelivery(id, 'slack', claim('a'))).toBe(true);
    expect(await s.store.claimDelivery(id, 'slack', claim('b'))).toBe(false);
    // The other channel is its own.
    expect(await s.store.claimDelivery(id, 'sns', claim('b'))).toBe(true);
    const sent = { ...claim('a'), status: 'sent' as const, untilMs: null, messageId: 'm-1' };
    expect(await s.store.settleDelivery(id, 'slack', 'a', sent)).toBe(true);
    expect(await s.store.claimDelivery(id, 'slack', claim('c'))).toBe(false);
    const incident = await s.store.getIncident(id);
    expect(incident?.deliveries?.slack).toEqual(sent);
    expect(incident?.deliveries?.sns).toEqual(claim('b'));
    // The first channel that carried it marks the incident notified.
    expect(incident?.status).toBe('notified');
  });

  it('records an outcome only for the claim’s own token', async () => {
    const id = await s.seed('i-0123456789abcdef0', T0);
    await s.store.claimDelivery(id, 'sns', claim('a'));
    const failed = { ...claim('b'), status: 'failed' as const, untilMs: null, detail: 'x' };
    expect(await s.store.settleDelivery(id, 'sns', 'b', failed)).toBe(false);
    expect((await s.store.getIncident(id))?.deliveries?.sns?.token).toBe('a');
    expect((await s.store.getIncident(id))?.status).not.toBe('notified');
  });

  it('lets a pending (retryable) channel be claimed again by the next invocation', async () => {
    const id = await s.seed('i-0123456789abcdef0', T0);
    await s.store.claimDelivery(id, 'slack', claim('a'));
    const pending = {
      ...claim('a'),
      status: 'pending' as const,
      untilMs: null,
      detail: 'Slack answered 429',
    };
    await s.store.settleDelivery(id, 'slack', 'a', pending);
    expect(await s.store.claimDelivery(id, 'slack', claim('b', 2))).toBe(true);
    expect((await s.store.getIncident(id))?.deliveries?.slack).toMatchObject({ token: 'b', attempts: 2 });
  });

  it('lists the incidents of one instance since a time, oldest first, with what a message links them by', async () => {
    const HOUR = 3_600_000;
    const early = await s.seed('i-0123456789abcdef0', T0 - 30 * HOUR, 4001);
    const first = await s.seed('i-0123456789abcdef0', T0 - 5 * HOUR, 4002);
    const second = await s.seed('i-0123456789abcdef0', T0 - HOUR, 4003);
    await s.seed('i-0fedcba9876543210', T0 - 2 * HOUR, 4004);
    const listed = await s.store.incidentsOn('i-0123456789abcdef0', T0 - 24 * HOUR);
    expect(listed.map((other) => other.incidentId)).toEqual([first, second]);
    expect(listed.map((other) => other.pid)).toEqual([4002, 4003]);
    expect(listed[0]).toMatchObject({
      observedAt: new Date(T0 - 5 * HOUR).toISOString(),
      process: realKill().process,
      killCount: 1,
      executionArn: null,
    });
    expect(await s.store.incidentsOn('i-0123456789abcdef0', T0 - 31 * HOUR)).toHaveLength(3);
    expect(early).not.toBe(first);
  });

  it('refuses a claim on an incident that does not exist', async () => {
    expect(await s.store.claimDelivery('oom-20261125T165801-0000000000000000', 'sns', claim('a'))).toBe(
      false,
    );
  });

  it('adds a storm window’s rollups one at a time, in order, never two with one number', async () => {
    const rollup = (seq: number, owner: string) => ({
      seq,
      owner,
      covers: [owner, `${owner}-b`],
      atMs: T0 + seq,
    });
    expect(await s.store.stormRollups(WINDOW)).toEqual([]);
    expect(await s.store.claimRollup(WINDOW, rollup(2, 'x'))).toBe(false);
    expect(await s.store.claimRollup(WINDOW, rollup(1, 'a'))).toBe(true);
    expect(await s.store.claimRollup(WINDOW, rollup(1, 'b'))).toBe(false);
    expect(await s.store.claimRollup(WINDOW, rollup(2, 'c'))).toBe(true);
    expect(await s.store.stormRollups(WINDOW)).toEqual([rollup(1, 'a'), rollup(2, 'c')]);
    expect(await s.store.stormRollups('2026-11-25T17:00:00.000Z')).toEqual([]);
  });

  it.skipIf(!serializes)(
    'lets exactly one of many concurrent claims win a channel and a rollup',
    async () => {
      const id = await s.seed('i-0123456789abcdef0', T0);
      const channel = await Promise.all(
        ['a', 'b', 'c', 'd'].map((t) => s.store.claimDelivery(id, 'q', claim(t))),
      );
      expect(channel.filter(Boolean)).toHaveLength(1);
      const rollups = await Promise.all(
        ['a', 'b', 'c'].map((owner) =>
          s.store.claimRollup(WINDOW, { seq: 1, owner, covers: [owner], atMs: T0 }),
        ),
      );
      expect(rollups.filter(Boolean)).toHaveLength(1);
    },
  );
}

describe.each([
  ['in memory', inMemory],
  ['on DynamoDB (dynalite)', onTable(() => dynamo)],
])('the notifier’s delivery records %s', (_, make) => deliveryContract(make));

describe.skipIf(!moto.path)(
  `the notifier’s delivery records on DynamoDB (moto server)${skipped(moto)}`,
  () => {
    let strict: LocalDynamo;
    beforeAll(async () => {
      strict = await startMotoDynamo();
    });
    afterAll(async () => {
      await strict?.close();
    });
    deliveryContract(
      onTable(() => strict),
      false,
    );

    it('writes only non-empty keys, one attribute per channel and one item per window', async () => {
      const subject = await onTable(() => strict)();
      const id = await subject.seed('i-0123456789abcdef0', T0);
      await subject.store.claimDelivery(id, 'sns', claim('a'));
      await subject.store.claimRollup(WINDOW, { seq: 1, owner: id, covers: [id], atMs: T0 });
      const items = (await strict.client.send(new ScanCommand({ TableName: subject.tableName }))).Items ?? [];
      expect(items).toHaveLength(2);
      expect(items.flatMap(emptyKeyAttributes)).toEqual([]);
    });
  },
);

describe('the DynamoDB delivery records', () => {
  it('keeps each channel in an attribute of its own and the window’s rollups in one item with a TTL', async () => {
    const subject = await onTable(() => dynamo)();
    const id = await subject.seed('i-0123456789abcdef0', T0);
    await subject.store.claimDelivery(id, 'slack', claim('a'));
    await subject.store.claimDelivery(id, 'sns', claim('a'));
    await subject.store.claimRollup(WINDOW, { seq: 1, owner: id, covers: [id], atMs: T0 });
    const items = (await dynamo.client.send(new ScanCommand({ TableName: subject.tableName }))).Items ?? [];
    const incident = items.find((item) => String(item.pk).startsWith('INCIDENT#'));
    expect(incident?.delivery_slack).toEqual(claim('a'));
    expect(incident?.delivery_sns).toEqual(claim('a'));
    const rollups = items.find((item) => String(item.pk).startsWith('ROLLUPS#'));
    expect(rollups).toMatchObject({ rollups: 1, r1: { owner: id, covers: [id] } });
    expect(rollups?.expiresAt).toBe(Math.floor(Date.parse(WINDOW) / 1000) + 7 * 86_400);
  });
});

describe('a memory-pressure warning on the DynamoDB table', () => {
  /** The warning's item as the pressure function writes it: the incident key, on GSI2 with `kind: 'pressure'`. */
  async function putWarning(tableName: string, id: string, atMs: number): Promise<void> {
    const observedAt = new Date(atMs).toISOString();
    await dynamo.client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keys.incident(id),
          ...keys.instanceIncident('i-0123456789abcdef0', observedAt, id),
          incidentId: id,
          observedAt,
          kind: 'pressure',
          metric: 'mem_available_percent',
          latestValue: 6,
          killCount: 0,
          expiresAt: Math.floor(atMs / 1000) + 86_400,
        },
      }),
    );
  }

  it('is listed beside the kills of its instance with the metric and the reading of its alarm', async () => {
    const subject = await onTable(() => dynamo)();
    const kill = await subject.seed('i-0123456789abcdef0', T0);
    await putWarning(
      subject.tableName ?? '',
      'pressure-20261125T162000-i-0123456789abcdef0',
      T0 - 38 * 60_000,
    );
    const listed = await subject.store.incidentsOn('i-0123456789abcdef0', T0 - 3_600_000);
    expect(listed.map((other) => other.incidentId)).toEqual([
      'pressure-20261125T162000-i-0123456789abcdef0',
      kill,
    ]);
    expect(listed[0]?.warning).toEqual({ metric: 'mem_available_percent', latestValue: 6 });
    expect(listed[1]?.warning).toBeUndefined();
  });

  it('holds its channels’ deliveries like an incident, read back by getWarning', async () => {
    const subject = await onTable(() => dynamo)();
    const store = subject.store as DynamoNotificationStore;
    const id = 'pressure-20261125T162000-i-0123456789abcdef0';
    expect(await store.getWarning(id)).toBeNull();
    await putWarning(subject.tableName ?? '', id, T0);
    expect(await store.claimDelivery(id, 'slack', claim('a'))).toBe(true);
    expect(await store.claimDelivery(id, 'slack', claim('b'))).toBe(false);
    const sent = { ...claim('a'), status: 'sent' as const, untilMs: null, messageId: null };
    expect(await store.settleDelivery(id, 'slack', 'a', sent)).toBe(true);
    expect(await store.getWarning(id)).toEqual({ incidentId: id, deliveries: { slack: sent } });
    const record = {
      at: new Date(T0).toISOString(),
      slack: { status: 'sent' as const, detail: null },
      sns: { status: 'skipped' as const, messageId: null, detail: null },
    };
    await store.recordNotification(id, record);
    expect((await store.getWarning(id))?.notification).toEqual(record);
  });
});
