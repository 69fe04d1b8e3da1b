import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GSI2_ATTRIBUTES, keys } from '../../../../functions/adapters/dynamodb/items';
import { DynamoNotificationStore } from '../../../../functions/adapters/dynamodb/notification-store';
import { DynamoPressureStore } from '../../../../functions/adapters/dynamodb/pressure-store';
import { instancePressure } from '../../../../functions/core/pressure/contributor-event';
import type { RecordWarningRequest } from '../../../../functions/core/pressure/ports';
import { pressureIncidentOf } from '../../../../functions/core/pressure/pressure-incident';
import { skipped } from '../../../support/aws-tools';
import { type LocalDynamo, startLocalDynamo } from '../../../support/dynalite';
import { emptyKeyAttributes } from '../../../support/incident-table';
import { startMotoDynamo } from '../../../support/moto-dynamo';
import { moto } from '../../../support/moto-server';
import { earlyWarningEvent } from '../../../support/pressure-events';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponder-Pressure';
const INSTANCE = 'i-0abc1234def567890';
const MINUTE = 60_000;
const COOLDOWN = 60 * MINUTE;
/** The documented sample's own time: 2025-12-01T13:42:04.919+0000. */
const T0 = Date.parse('2025-12-01T13:42:04.919Z');

/** The request the use case makes for the documented warning, moved to `atMs` (another warning of the instance). */
function request(atMs = T0, instanceId = INSTANCE): RecordWarningRequest {
  const timestamp = new Date(atMs).toISOString().replace('Z', '+0000');
  const warning = instancePressure(earlyWarningEvent(instanceId, { state: { timestamp } }));
  return {
    instanceKey: instanceId,
    incident: pressureIncidentOf(warning, STATE_MACHINE, new Date(atMs + 2_000)),
    warnedAtMs: atMs,
    cooldownMs: COOLDOWN,
    expiresAt: Math.floor(atMs / 1000) + 30 * 86_400,
  };
}

function storeContract(local: () => LocalDynamo): void {
  let tableName: string;
  let store: DynamoPressureStore;
  beforeEach(async () => {
    tableName = await local().createTable();
    store = new DynamoPressureStore({ client: local().client, tableName }, { sleep: async () => {} });
  });

  it('records a first warning: the cooldown marker and the incident, in one call', async () => {
    local().resetCalls();
    const first = request();
    expect(await store.recordWarning(first)).toEqual({ outcome: 'recorded' });
    expect(Object.fromEntries(local().calls)).toEqual({ TransactWriteItemsCommand: 1 });
    const marker = await local().client.send(
      new GetCommand({ TableName: tableName, Key: keys.pressure(INSTANCE) }),
    );
    expect(marker.Item).toMatchObject({ incidentId: first.incident.id, cooldownUntilMs: T0 + COOLDOWN });
    const item = await local().client.send(
      new GetCommand({ TableName: tableName, Key: keys.incident(first.incident.id) }),
    );
    expect(item.Item).toMatchObject({
      kind: 'pressure',
      instanceId: INSTANCE,
      metric: 'mem_available_percent',
      // The documented reason's figures: "the threshold (1.0)", "[0.0 (01/12/25 13:34:00)]".
      latestValue: 0,
      threshold: 1,
      observedAt: '2025-12-01T13:42:04.919Z',
      killCount: 0,
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:OomResponder-Pressure:${first.incident.id}`,
    });
  });

  it('answers a second delivery of the same warning as a duplicate, writing nothing new', async () => {
    await store.recordWarning(request());
    expect(await store.recordWarning(request())).toEqual({ outcome: 'duplicate' });
    const items = (await local().client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    expect(items).toHaveLength(2);
  });

  it('keeps a later warning within the cooldown out, naming the incident that holds it', async () => {
    const first = request();
    await store.recordWarning(first);
    const later = request(T0 + 20 * MINUTE);
    expect(later.incident.id).not.toBe(first.incident.id);
    expect(await store.recordWarning(later)).toEqual({
      outcome: 'cooling',
      incidentId: first.incident.id,
      cooldownUntilMs: T0 + COOLDOWN,
    });
    // Nothing of the later warning was written: the transaction is all or nothing.
    const item = await local().client.send(
      new GetCommand({ TableName: tableName, Key: keys.incident(later.incident.id) }),
    );
    expect(item.Item).toBeUndefined();
  });

  it('records a warning once the cooldown is over, and another instance at any time', async () => {
    await store.recordWarning(request());
    expect(await store.recordWarning(request(T0 + 5 * MINUTE, 'i-0fedcba9876543210'))).toEqual({
      outcome: 'recorded',
    });
    expect(await store.recordWarning(request(T0 + COOLDOWN))).toEqual({ outcome: 'recorded' });
  });

  it("lists the warning among the instance's incidents, as the notifier reads them (GSI2)", async () => {
    const first = request();
    await store.recordWarning(first);
    const notifications = new DynamoNotificationStore({ client: local().client, tableName });
    expect(await notifications.incidentsOn(INSTANCE, T0 - MINUTE)).toEqual([
      {
        incidentId: first.incident.id,
        observedAt: '2025-12-01T13:42:04.919Z',
        process: null,
        pid: null,
        killCount: 0,
        executionArn: first.incident.executionArn,
        warning: { metric: 'mem_available_percent', latestValue: 0 },
      },
    ]);
  });

  it('writes only non-empty keys', async () => {
    await store.recordWarning(request());
    const items = (await local().client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    expect(items.flatMap(emptyKeyAttributes)).toEqual([]);
  });
}

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

describe('the pressure store on DynamoDB (dynalite)', () => storeContract(() => dynamo));

describe.skipIf(!moto.path)(`the pressure store on DynamoDB (moto server)${skipped(moto)}`, () => {
  let strict: LocalDynamo;
  beforeAll(async () => {
    strict = await startMotoDynamo();
  });
  afterAll(async () => {
    await strict?.close();
  });
  storeContract(() => strict);
});

describe('the GSI2 projection', () => {
  it('carries what tells a warning from a kill and describes it', () => {
    expect(GSI2_ATTRIBUTES).toEqual(expect.arrayContaining(['kind', 'metric', 'latestValue']));
  });
});
