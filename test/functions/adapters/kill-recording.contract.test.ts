import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoIncidentStore } from '../../../functions/adapters/dynamodb/incident-store';
import { keys } from '../../../functions/adapters/dynamodb/items';
import { MemoryIncidentStore } from '../../../functions/adapters/memory/incident-store';
import type { IncidentStore, RecordKillsRequest } from '../../../functions/core/detect/ports';
import { MAX_KILLS_LISTED } from '../../../functions/core/incident/model';
import { skipped } from '../../support/aws-tools';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import { realKill, recordRequest } from '../../support/kills';
import { startMotoDynamo } from '../../support/moto-dynamo';
import { moto } from '../../support/moto-server';

/**
 * Exactly-once recording: every kill counted once however it is delivered (twice in one batch, the same batch
 * to concurrent detectors, a second group racing the first one's creation), every kill recorded however many
 * arrive at once, and nothing a kill line carries can push an item past DynamoDB's limits. The same contract on
 * memory, dynalite (with its transaction shim) and moto server (DynamoDB's own transaction model).
 */

const T0 = Date.parse('2026-11-25T16:58:01Z');
const INSTANCE = 'i-0123456789abcdef0';
const kill = (pid: number, kernelTime: number) => realKill({ pid, kernelTime });

/** `n` distinct kills of one host, a second apart from `startMs`, pids from `firstPid`. */
function kills(n: number, firstPid = 1000, startMs = T0) {
  return Array.from({ length: n }, (_, i) => ({
    kill: kill(firstPid + i, firstPid + i),
    observedAtMs: startMs + i * 1000,
  }));
}

/** Every incident of the store that holds kills of `request`'s instance, by id, with its count. */
async function killCounts(store: IncidentStore, ids: Iterable<string>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const id of new Set(ids)) {
    const incident = await store.getIncident(id);
    if (incident) counts.set(id, incident.killCount);
  }
  return counts;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/**
 * A client of `local` that waits 0-4 ms before each call, as network latency does: concurrent recorders then
 * interleave their calls in every order, which is where a non-atomic claim loses or double counts kills.
 */
async function jittered(local: LocalDynamo): Promise<DynamoDBDocumentClient> {
  const endpoint = await local.client.config.endpoint?.();
  const raw = new DynamoDBClient({
    endpoint: `http://${endpoint?.hostname}:${endpoint?.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  raw.middlewareStack.add(
    (next) => async (args) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
      return next(args);
    },
    { step: 'initialize', name: 'latency' },
  );
  return DynamoDBDocumentClient.from(raw);
}

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

describe.each([
  ['in memory', async () => ({ store: new MemoryIncidentStore() as IncidentStore, bulk: 10_000 })],
  [
    'on DynamoDB (dynalite)',
    async () => ({
      store: new DynamoIncidentStore({
        client: await jittered(dynamo),
        tableName: await dynamo.createTable(),
      }),
      // The shim applies a transaction one action at a time, serialized: a few seconds for 2,000 kills.
      bulk: 2_000,
    }),
  ],
])('recording kills %s', (_, make) => recordingContract(make));

describe.skipIf(!moto.path)(`recording kills on DynamoDB (moto server)${skipped(moto)}`, () => {
  let strict: LocalDynamo;
  beforeAll(async () => {
    strict = await startMotoDynamo();
  });
  afterAll(async () => {
    await strict?.close();
  });
  // moto takes about half a second for a transaction of 99 puts, so its batch is 300 kills (four
  // transactions, and four more for the retry); the calls for 10,000 are counted in kill-recorder.test.ts.
  // moto serves requests on threads without DynamoDB's isolation between them (two conditional writes of one
  // item can both pass: seen here, 1 run in 2), so the races are run on the serialized substrates only.
  recordingContract(
    async () => ({
      store: new DynamoIncidentStore({ client: strict.client, tableName: await strict.createTable() }),
      bulk: 300,
    }),
    { races: false },
  );

  it('opens an incident in one call', async () => {
    const tableName = await strict.createTable();
    const store = new DynamoIncidentStore({ client: strict.client, tableName });
    strict.resetCalls();
    await store.recordKills(recordRequest(INSTANCE, kills(1)));
    expect(Object.fromEntries(strict.calls)).toEqual({ TransactWriteItemsCommand: 1 });
  });

  it('refuses nothing DynamoDB would: an incident of 50 kills whose lines carry 200 KB fields', async () => {
    const tableName = await strict.createTable();
    const store = new DynamoIncidentStore({ client: strict.client, tableName });
    const huge = 'x'.repeat(200_000);
    const request = recordRequest(
      INSTANCE,
      Array.from({ length: MAX_KILLS_LISTED }, (_, i) => ({
        kill: realKill({
          pid: 1 + i,
          kernelTime: 1 + i,
          process: huge,
          taskMemcg: `/${huge}`,
          systemdUnit: huge,
        }),
        observedAtMs: T0 + i,
      })),
    );
    const result = await store.recordKills(request);
    expect(result.recorded).toHaveLength(MAX_KILLS_LISTED);
    const items = (await strict.client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    const largest = Math.max(...items.map((item) => Buffer.byteLength(JSON.stringify(item))));
    expect(largest).toBeLessThan(400 * 1024);
  });
});

describe('recording kills on DynamoDB, where an item can vanish', () => {
  it('takes an instance over whose marker names an incident that is gone (its item expired first)', async () => {
    const tableName = await dynamo.createTable();
    const store = new DynamoIncidentStore({ client: dynamo.client, tableName });
    const first = recordRequest(INSTANCE, kills(1, 100));
    await store.recordKills(first);
    await dynamo.client.send(
      new DeleteCommand({ TableName: tableName, Key: keys.incident(first.incident.id) }),
    );

    const next = recordRequest(INSTANCE, kills(2, 200, T0 + 60_000));
    const result = await store.recordKills(next);
    expect(result).toMatchObject({ incidentId: next.incident.id, opened: true });
    expect((await store.getIncident(next.incident.id))?.killCount).toBe(2);
  });
});

function recordingContract(
  make: () => Promise<{ store: IncidentStore; bulk: number }>,
  { races = true } = {},
): void {
  let store: IncidentStore;
  let bulk: number;
  beforeEach(async () => {
    ({ store, bulk } = await make());
  });

  it('counts a kill that a batch carries twice once', async () => {
    const [a, b] = kills(2);
    const request = recordRequest(
      INSTANCE,
      [a, b, a, b, a].filter((k) => k !== undefined),
    );
    const result = await store.recordKills(request);
    expect(result.recorded).toHaveLength(2);
    expect(result.duplicates).toHaveLength(3);
    expect((await store.getIncident(request.incident.id))?.killCount).toBe(2);
  });

  it.runIf(races)('counts each kill once when the same batch reaches four detectors at once', async () => {
    for (let round = 0; round < 5; round++) {
      const request = recordRequest(`i-0bbbbbbbbbbbbbb0${round}`, kills(40));
      const results = await Promise.all([1, 2, 3, 4].map(() => store.recordKills(request)));
      expect(results.filter((r) => r.opened)).toHaveLength(1);
      expect(sum(results.map((r) => r.recorded.length))).toBe(40);
      expect(sum(results.map((r) => r.duplicates.length))).toBe(120);
      expect(new Set(results.map((r) => r.incidentId))).toEqual(new Set([request.incident.id]));
      expect((await store.getIncident(request.incident.id))?.killCount).toBe(40);
    }
  });

  it.runIf(races)(
    'loses no kill of a group that joins while another group of the host is opening its incident',
    async () => {
      // Two groups of one host inside one cooldown, recorded at once: one opens, the other joins it. The
      // joiner must find the incident (the claim and the incident are written together).
      for (let round = 0; round < 5; round++) {
        const host = `i-0aaaaaaaaaaaaaa0${round}`;
        // The opener has many kills (the old recorder wrote them one call each before creating the incident).
        const early = recordRequest(host, kills(40, 100, T0));
        const late = recordRequest(host, kills(2, 200, T0 + 30_000));
        const results = await Promise.all([store.recordKills(early), store.recordKills(late)]);
        expect(results.filter((r) => r.opened)).toHaveLength(1);
        const counts = await killCounts(
          store,
          results.flatMap((r) => (r.incidentId ? [r.incidentId] : [])),
        );
        expect(counts.size).toBe(1);
        expect(sum(counts.values())).toBe(42);
      }
    },
  );

  it('records every kill of a batch that holds thousands for one host, counted exactly', async () => {
    const request = recordRequest(INSTANCE, kills(bulk));
    const result = await store.recordKills(request);
    expect(result).toMatchObject({ incidentId: request.incident.id, opened: true });
    expect(result.recorded).toHaveLength(bulk);
    const incident = await store.getIncident(request.incident.id);
    expect(incident?.killCount).toBe(bulk);
    expect(incident?.kills).toHaveLength(MAX_KILLS_LISTED);
    // A retry of the whole batch (the answer was lost) finds them all recorded.
    const again = await store.recordKills(request);
    expect(again).toMatchObject({ incidentId: request.incident.id, opened: false, recorded: [] });
    expect((await store.getIncident(request.incident.id))?.killCount).toBe(bulk);
  }, 120_000);

  it('finishes a group that an earlier try recorded only in part', async () => {
    const whole = recordRequest(INSTANCE, kills(150));
    const part: RecordKillsRequest = { ...whole, kills: whole.kills.slice(0, 120) };
    await store.recordKills(part);
    const result = await store.recordKills(whole);
    expect(result).toMatchObject({ incidentId: whole.incident.id, opened: false });
    expect(result.recorded).toHaveLength(30);
    expect((await store.getIncident(whole.incident.id))?.killCount).toBe(150);
  });
}
