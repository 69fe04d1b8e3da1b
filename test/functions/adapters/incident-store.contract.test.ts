import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import { EmptyKeyValueError, type KeyPart } from '../../../functions/adapters/key-values';
import { MemoryIncidentStore } from '../../../functions/adapters/memory/incident-store';
import type { IncidentStore, RecordKillsRequest } from '../../../functions/core/detect/ports';
import { MAX_KILLS_LISTED } from '../../../functions/core/incident/model';
import type { StormWindowStats } from '../../../functions/core/incident/storm-stats';
import { skipped } from '../../support/aws-tools';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { emptyKeyAttributes } from '../../support/incident-table';
import { realKill, recordRequest } from '../../support/kills';
import { startMotoDynamo } from '../../support/moto-dynamo';
import { moto } from '../../support/moto-server';

type Store = IncidentStore & { stormWindow(window: string): Promise<StormWindowStats> };

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

const T0 = Date.parse('2026-11-25T16:58:01Z');
const MINUTE = 60_000;
const kill = (pid: number, kernelTime: number) => realKill({ pid, kernelTime });

// One contract, three substrates: what replay does in memory is what the Lambda does in DynamoDB. dynalite is the
// embedded default; moto server is the strict one (it refuses empty key values, as DynamoDB does).
describe.each([
  ['in memory', async (): Promise<Store> => new MemoryIncidentStore()],
  [
    'on DynamoDB (dynalite)',
    async (): Promise<Store> =>
      new DynamoIncidentStore({ client: dynamo.client, tableName: await dynamo.createTable() }),
  ],
])('the incident store %s', (_, makeStore) => storeContract(makeStore));

describe.skipIf(!moto.path)(`the incident store on DynamoDB (moto server)${skipped(moto)}`, () => {
  let strict: LocalDynamo;
  beforeAll(async () => {
    strict = await startMotoDynamo();
  });
  afterAll(async () => {
    await strict?.close();
  });
  storeContract(
    async () => new DynamoIncidentStore({ client: strict.client, tableName: await strict.createTable() }),
  );

  it('writes only non-empty keys and sends only queries DynamoDB accepts, whatever the ids', async () => {
    const tableName = await strict.createTable();
    const store = new DynamoIncidentStore({ client: strict.client, tableName });
    const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(id, id, fc.integer({ min: 0, max: 86_400_000 }), async (drawn, process, offsetMs) => {
        // Each run on an instance of its own: fast-check may draw the same ids twice.
        const instanceKey = `${drawn}#${++run}`;
        const request = recordRequest(instanceKey, [
          { kill: realKill({ pid: 100, process }), observedAtMs: T0 + offsetMs },
        ]);
        await store.recordKills(request);
        const at = new Date(T0 + offsetMs).toISOString();
        await store.recordAction(instanceKey, { action: 'add-swap', incidentId: request.incident.id, at }, 1);
        expect((await store.stormWindow(request.stormWindow)).incidentIds).toContain(request.incident.id);
        expect(await store.history(instanceKey, process, T0 - 1)).toHaveLength(1);
        expect(await store.recentActions(instanceKey, T0 - 1)).toHaveLength(1);
      }),
      { numRuns: 12 },
    );
    const items = (await strict.client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    expect(items).toHaveLength(12 * 4);
    expect(items.flatMap(emptyKeyAttributes)).toEqual([]);
  });
});

function storeContract(makeStore: () => Promise<Store>): void {
  let store: Store;
  beforeEach(async () => {
    store = await makeStore();
  });

  it('opens an incident for the first kill of an instance', async () => {
    const request = recordRequest('i-0123456789abcdef0', [{ kill: kill(100, 10), observedAtMs: T0 }]);
    const result = await store.recordKills(request);
    expect(result).toMatchObject({
      incidentId: request.incident.id,
      opened: true,
      executionArn: null,
      duplicates: [],
    });
    expect(result.recorded).toHaveLength(1);
    const incident = await store.getIncident(request.incident.id);
    expect(incident?.killCount).toBe(1);
    expect(incident?.firstKill.process).toBe('(sd-pam)');
    expect(incident?.firstKill.tasks.length).toBeGreaterThan(0);
  });

  it('drops the same kill delivered twice, and says which incident holds it', async () => {
    const request = recordRequest('i-0123456789abcdef0', [{ kill: kill(100, 10), observedAtMs: T0 }]);
    await store.recordKills(request);
    const again = await store.recordKills(request);
    expect(again).toMatchObject({ incidentId: request.incident.id, opened: false, recorded: [] });
    expect(again.duplicates).toHaveLength(1);
    expect((await store.getIncident(request.incident.id))?.killCount).toBe(1);
  });

  it('joins kills inside the cooldown to the open incident, counted and listed', async () => {
    const first = recordRequest('i-0123456789abcdef0', [{ kill: kill(100, 10), observedAtMs: T0 }]);
    await store.recordKills(first);
    for (let i = 1; i < 10; i++) {
      const later = recordRequest('i-0123456789abcdef0', [
        { kill: kill(100 + i, 10 + i), observedAtMs: T0 + i * 5000 },
      ]);
      const result = await store.recordKills(later);
      expect(result).toMatchObject({ incidentId: first.incident.id, opened: false });
    }
    const incident = await store.getIncident(first.incident.id);
    expect(incident?.killCount).toBe(10);
    expect(incident?.kills.map((k) => k.pid)).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
  });

  it('opens a new incident once the cooldown has passed', async () => {
    const first = recordRequest('i-0123456789abcdef0', [{ kill: kill(100, 10), observedAtMs: T0 }]);
    await store.recordKills(first);
    const later = recordRequest('i-0123456789abcdef0', [
      { kill: kill(200, 2000), observedAtMs: T0 + 16 * MINUTE },
    ]);
    const result = await store.recordKills(later);
    expect(result).toMatchObject({ incidentId: later.incident.id, opened: true });
    expect(later.incident.id).not.toBe(first.incident.id);
  });

  it('keeps instances apart', async () => {
    const a = await store.recordKills(
      recordRequest('i-0aaaaaaaaaaaaaaaa', [{ kill: kill(100, 10), observedAtMs: T0 }]),
    );
    const b = await store.recordKills(
      recordRequest('i-0bbbbbbbbbbbbbbbb', [{ kill: kill(100, 10), observedAtMs: T0 }]),
    );
    expect(a.opened && b.opened).toBe(true);
    expect(a.incidentId).not.toBe(b.incidentId);
  });

  it('records a group of kills at once, dropping only the duplicates among them', async () => {
    await store.recordKills(
      recordRequest('i-0123456789abcdef0', [{ kill: kill(101, 11), observedAtMs: T0 + 1000 }]),
    );
    const group = recordRequest(
      'i-0123456789abcdef0',
      [100, 101, 102].map((pid, i) => ({ kill: kill(pid, 10 + i), observedAtMs: T0 + i * 1000 })),
    );
    const result = await store.recordKills(group);
    expect(result.duplicates.map((d) => d.pid)).toEqual([101]);
    expect(result.recorded.map((d) => d.pid)).toEqual([100, 102]);
    const incident = await store.getIncident(result.incidentId ?? '');
    expect(incident?.killCount).toBe(3);
  });

  it('answers the history of a process on an instance with RSS at kill, oldest first', async () => {
    await store.recordKills(
      recordRequest('i-0123456789abcdef0', [{ kill: kill(100, 10), observedAtMs: T0 }]),
    );
    await store.recordKills(
      recordRequest('i-0123456789abcdef0', [
        { kill: realKill({ pid: 300, kernelTime: 3000, anonRssKb: 64_000 }), observedAtMs: T0 + 20 * MINUTE },
      ]),
    );
    await store.recordKills(
      recordRequest('i-0999999999abcdef0', [{ kill: kill(400, 10), observedAtMs: T0 }]),
    );
    const history = await store.history('i-0123456789abcdef0', '(sd-pam)', T0 - MINUTE);
    expect(history.map((h) => [h.pid, h.rssKb])).toEqual([
      [100, 32384 + 2668 + 0],
      [300, 64_000 + 2668 + 0],
    ]);
    expect(await store.history('i-0123456789abcdef0', '(sd-pam)', T0 + MINUTE)).toHaveLength(1);
  });

  it('remembers that the response started', async () => {
    const request = recordRequest('i-0123456789abcdef0', [{ kill: kill(100, 10), observedAtMs: T0 }]);
    await store.recordKills(request);
    await store.markExecutionStarted(
      request.incident.id,
      'arn:aws:states:us-east-1:123456789012:execution:oom:x',
    );
    const again = await store.recordKills(request);
    expect(again.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:oom:x');
    expect((await store.getIncident(request.incident.id))?.status).toBe('responding');
  });

  it('files each incident it opens under its instance, its execution once started, joined kills counted', async () => {
    const HOUR = 60 * MINUTE;
    const first = recordRequest('i-0123456789abcdef0', [
      { kill: kill(100, 10), observedAtMs: T0 - 2 * HOUR },
    ]);
    await store.recordKills(first);
    // A kill within the cooldown joins the first incident: no incident of its own.
    await store.recordKills(
      recordRequest('i-0123456789abcdef0', [{ kill: kill(150, 15), observedAtMs: T0 - 2 * HOUR + MINUTE }]),
    );
    const execution = `arn:aws:states:us-east-1:123456789012:execution:oom:${first.incident.id}`;
    await store.markExecutionStarted(first.incident.id, execution);
    const second = recordRequest('i-0123456789abcdef0', [{ kill: kill(200, 20), observedAtMs: T0 }]);
    await store.recordKills(second);
    await store.recordKills(
      recordRequest('i-0fedcba9876543210', [{ kill: kill(300, 30), observedAtMs: T0 }]),
    );

    const listed = await store.incidentsOn('i-0123456789abcdef0', T0 - 3 * HOUR);
    expect(listed).toEqual([
      {
        incidentId: first.incident.id,
        observedAt: new Date(T0 - 2 * HOUR).toISOString(),
        process: '(sd-pam)',
        pid: 100,
        killCount: 2,
        executionArn: execution,
      },
      {
        incidentId: second.incident.id,
        observedAt: new Date(T0).toISOString(),
        process: '(sd-pam)',
        pid: 200,
        killCount: 1,
        executionArn: null,
      },
    ]);
    expect(await store.incidentsOn('i-0123456789abcdef0', T0 - HOUR)).toHaveLength(1);
  });

  it('counts incidents per storm window, by process and by instance', async () => {
    for (let i = 0; i < 5; i++) {
      const id = `i-0${String(i).repeat(16)}`;
      await store.recordKills(recordRequest(id, [{ kill: kill(100, 10), observedAtMs: T0 }]));
    }
    const window = recordRequest('i-0000000000000000', [{ kill: kill(1, 1), observedAtMs: T0 }]).stormWindow;
    const stats = await store.stormWindow(window);
    expect(stats.incidents).toBe(5);
    expect(stats.byProcess).toEqual({ '(sd-pam)': 5 });
    expect(Object.keys(stats.byInstance)).toHaveLength(5);
  });

  it('lists a storm window’s incidents in the order they opened, whatever time their hosts printed', async () => {
    // Host clocks disagree (local time without an offset, a clock off by hours): the order is the pipeline's.
    const printed = ['2026-11-25T19:58:01', '2026-11-25T16:58:03', '2026-11-25T11:58:02', null];
    const ids: string[] = [];
    for (const [i, time] of printed.entries()) {
      const request = recordRequest(`i-0${String(i + 1).repeat(16)}`, [
        { kill: realKill({ pid: 100 + i, kernelTime: 10 + i, time }), observedAtMs: T0 + i * 1000 },
      ]);
      await store.recordKills(request);
      ids.push(request.incident.id);
    }
    const window = recordRequest('i-0000000000000000', [{ kill: kill(1, 1), observedAtMs: T0 }]).stormWindow;
    const stats = await store.stormWindow(window);
    expect(stats.incidentIds).toEqual(ids);
    expect(stats.incidents).toBe(4);
  });

  it('answers an empty storm window with no incidents', async () => {
    expect(await store.stormWindow('2026-11-25T16:55:00.000Z')).toEqual({
      window: '2026-11-25T16:55:00.000Z',
      incidents: 0,
      byProcess: {},
      byInstance: {},
      incidentIds: [],
    });
  });

  it('counts a kill that joined an open incident in no storm window', async () => {
    const first = recordRequest('i-0123456789abcdef0', [{ kill: kill(100, 10), observedAtMs: T0 }]);
    await store.recordKills(first);
    await store.recordKills(
      recordRequest('i-0123456789abcdef0', [{ kill: kill(101, 11), observedAtMs: T0 + 1000 }]),
    );
    const stats = await store.stormWindow(first.stormWindow);
    expect(stats.incidentIds).toEqual([first.incident.id]);
  });

  it('answers the remediations sent to an instance since a time, oldest first', async () => {
    const at = (ms: number) => new Date(ms).toISOString();
    const expiresAt = Math.floor(T0 / 1000) + 30 * 86_400;
    await store.recordAction(
      'i-0123456789abcdef0',
      { action: 'add-swap', incidentId: 'oom-a', at: at(T0 - 90 * MINUTE) },
      expiresAt,
    );
    await store.recordAction(
      'i-0123456789abcdef0',
      { action: 'restart-service', incidentId: 'oom-b', at: at(T0 - 30 * MINUTE) },
      expiresAt,
    );
    await store.recordAction(
      'i-0123456789abcdef0',
      { action: 'add-swap', incidentId: 'oom-c', at: at(T0 - 10 * MINUTE) },
      expiresAt,
    );
    await store.recordAction(
      'i-0999999999abcdef0',
      { action: 'add-swap', incidentId: 'oom-d', at: at(T0 - 5 * MINUTE) },
      expiresAt,
    );
    expect(await store.recentActions('i-0123456789abcdef0', T0 - 60 * MINUTE)).toEqual([
      { action: 'restart-service', incidentId: 'oom-b', at: at(T0 - 30 * MINUTE) },
      { action: 'add-swap', incidentId: 'oom-c', at: at(T0 - 10 * MINUTE) },
    ]);
    expect(await store.recentActions('i-0123456789abcdef0', T0 - 10 * MINUTE)).toHaveLength(1);
    expect(await store.recentActions('i-0123456789abcdef0', T0)).toEqual([]);
    expect(await store.recentActions('i-0aaaaaaaaaaaaaaaa', 0)).toEqual([]);
  });

  it('keeps two remediations sent at the same moment for different incidents apart', async () => {
    const at = new Date(T0).toISOString();
    await store.recordAction('i-0123456789abcdef0', { action: 'add-swap', incidentId: 'oom-a', at }, 1);
    await store.recordAction('i-0123456789abcdef0', { action: 'add-swap', incidentId: 'oom-b', at }, 1);
    const recent = await store.recentActions('i-0123456789abcdef0', T0 - MINUTE);
    expect(recent.map((a) => a.incidentId).sort()).toEqual(['oom-a', 'oom-b']);
  });

  it('records what was sent where, and marks the incident notified', async () => {
    const request = recordRequest('i-0123456789abcdef0', [{ kill: kill(100, 10), observedAtMs: T0 }]);
    await store.recordKills(request);
    const record = {
      at: new Date(T0 + 5 * MINUTE).toISOString(),
      slack: { status: 'failed' as const, detail: 'Slack answered 400 invalid_blocks' },
      sns: { status: 'sent' as const, messageId: 'm-1', detail: null },
    };
    await store.recordNotification(request.incident.id, record);
    const incident = await store.getIncident(request.incident.id);
    expect(incident?.status).toBe('notified');
    // A retried notify step reads it back and tells no one twice.
    expect(incident?.notification).toEqual(record);
    expect(incident?.killCount).toBe(1);
    expect(incident?.firstKill.process).toBe('(sd-pam)');
  });

  it('keeps the list of kills bounded while the count stays exact', async () => {
    const first = recordRequest('i-0123456789abcdef0', [{ kill: kill(1, 1), observedAtMs: T0 }]);
    await store.recordKills(first);
    const many = Array.from({ length: MAX_KILLS_LISTED + 10 }, (_, i) => ({
      kill: kill(1000 + i, 100 + i),
      observedAtMs: T0 + 1000 + i,
    }));
    await store.recordKills(recordRequest('i-0123456789abcdef0', many));
    const incident = await store.getIncident(first.incident.id);
    expect(incident?.killCount).toBe(MAX_KILLS_LISTED + 11);
    expect(incident?.kills.length).toBeLessThanOrEqual(MAX_KILLS_LISTED);
  });

  // DynamoDB refuses an empty string as a key value; an empty id must fail the same way on every substrate, and
  // before anything is written (the same kills then record cleanly under a valid request).
  it.each<[KeyPart, (r: RecordKillsRequest) => RecordKillsRequest]>([
    ['instance key', (r) => ({ ...r, instanceKey: '' })],
    ['incident id', (r) => ({ ...r, incident: { ...r.incident, id: '' } })],
    ['storm window', (r) => ({ ...r, stormWindow: '' })],
    [
      'kill key',
      (r) => ({
        ...r,
        kills: r.kills.map((k, i) => (i === 1 ? { ...k, digest: { ...k.digest, key: '' } } : k)),
      }),
    ],
  ])('refuses kills filed under an empty %s before it writes any of them', async (part, spoil) => {
    const request = recordRequest(
      'i-0123456789abcdef0',
      [100, 101].map((pid, i) => ({ kill: kill(pid, 10 + i), observedAtMs: T0 + i * 1000 })),
    );
    await expect(store.recordKills(spoil(request))).rejects.toEqual(new EmptyKeyValueError(part));
    const result = await store.recordKills(request);
    expect(result).toMatchObject({ incidentId: request.incident.id, opened: true, duplicates: [] });
    expect(result.recorded).toHaveLength(2);
  });

  it.each<[string, KeyPart, (s: Store) => Promise<unknown>]>([
    ['getIncident', 'incident id', (s) => s.getIncident('')],
    ['markExecutionStarted', 'incident id', (s) => s.markExecutionStarted('', 'arn:x')],
    ['history', 'instance key', (s) => s.history('', '(sd-pam)', T0)],
    ['recentActions', 'instance key', (s) => s.recentActions('', T0)],
    [
      'recordAction',
      'incident id',
      (s) => s.recordAction('i-0123456789abcdef0', { action: 'add-swap', incidentId: '', at: 'x' }, 1),
    ],
    ['stormWindow', 'storm window', (s) => s.stormWindow('')],
    [
      'recordNotification',
      'incident id',
      (s) =>
        s.recordNotification('', {
          at: new Date(T0).toISOString(),
          slack: { status: 'skipped', detail: null },
          sns: { status: 'sent', messageId: 'm-1', detail: null },
        }),
    ],
  ])('refuses %s with an empty %s', async (_, part, call) => {
    await expect(call(store)).rejects.toEqual(new EmptyKeyValueError(part));
  });
}

describe('the DynamoDB incident store', () => {
  it('puts a TTL attribute on every item it writes', async () => {
    const tableName = await dynamo.createTable();
    const store = new DynamoIncidentStore({ client: dynamo.client, tableName });
    const request = recordRequest('i-0123456789abcdef0', [{ kill: kill(100, 10), observedAtMs: T0 }]);
    await store.recordKills(request);
    const items = (await dynamo.client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    expect(items.map((item) => String(item.pk).split('#')[0]).sort()).toEqual([
      'INCIDENT',
      'INSTANCE',
      'KILL',
    ]);
    for (const item of items) expect(item.expiresAt).toBe(request.expiresAt);
  });

  it('keeps the notification record on the incident item, as JSON', async () => {
    const tableName = await dynamo.createTable();
    const store = new DynamoIncidentStore({ client: dynamo.client, tableName });
    const request = recordRequest('i-0123456789abcdef0', [{ kill: kill(100, 10), observedAtMs: T0 }]);
    await store.recordKills(request);
    const record = {
      at: new Date(T0 + 5 * MINUTE).toISOString(),
      slack: { status: 'sent' as const, detail: null },
      sns: { status: 'sent' as const, messageId: 'm-1', detail: null },
    };
    await store.recordNotification(request.incident.id, record);
    const items = (await dynamo.client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    const item = items.find((i) => String(i.pk).startsWith('INCIDENT#'));
    expect(JSON.parse(String(item?.notification))).toEqual(record);
    expect(item?.updatedAt).toBe(record.at);
  });

  it('puts a TTL attribute on each remediation it records', async () => {
    const tableName = await dynamo.createTable();
    const store = new DynamoIncidentStore({ client: dynamo.client, tableName });
    await store.recordAction(
      'i-0123456789abcdef0',
      { action: 'add-swap', incidentId: 'oom-a', at: new Date(T0).toISOString() },
      1_800_000_000,
    );
    const items = (await dynamo.client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    expect(items).toEqual([
      expect.objectContaining({ pk: 'ACTIONS#i-0123456789abcdef0', expiresAt: 1_800_000_000 }),
    ]);
  });
});
