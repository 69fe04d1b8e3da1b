import type { PressureStore, RecordWarningRequest, RecordWarningResult } from '../../core/pressure/ports';
import { keyPart } from '../key-values';
import type { IncidentTableProps } from './incident-table';
import { keys, pressureIncidentItem } from './items';
import { type TransactOptions, transactWrite } from './transact-write';

/**
 * The pressure function's part of the incident store (see `items.ts` for the layout): the instance's cooldown
 * marker (`INSTANCE#<instance key>` / `PRESSURE`) and the pressure incident, in one transaction, so neither can
 * exist without the other:
 * - the marker is written when there is none, when its cooldown is over (`cooldownUntilMs`, compared with the
 *   warning's time: TTL deletes late, so `expiresAt` is not the clock), or when it is this incident's own (a
 *   second delivery of the same warning);
 * - the incident is written only once (`attribute_not_exists`).
 * One call for a new warning; a cancelled transaction answers from what it met (`ALL_OLD`), with no second read.
 */
export class DynamoPressureStore implements PressureStore {
  constructor(
    private readonly props: IncidentTableProps,
    private readonly options: TransactOptions = {},
  ) {}

  async recordWarning(request: RecordWarningRequest): Promise<RecordWarningResult> {
    const { incident, instanceKey } = request;
    keyPart('instance key', instanceKey);
    keyPart('incident id', incident.id);
    const cooldownUntilMs = request.warnedAtMs + request.cooldownMs;
    const outcome = await transactWrite(
      this.props.client,
      [
        {
          Put: {
            TableName: this.props.tableName,
            Item: {
              ...keys.pressure(instanceKey),
              incidentId: incident.id,
              warnedAt: incident.warnedAt,
              cooldownUntilMs,
              expiresAt: Math.max(request.expiresAt, Math.ceil(cooldownUntilMs / 1000)),
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR cooldownUntilMs <= :warned OR incidentId = :own',
            ExpressionAttributeValues: { ':warned': request.warnedAtMs, ':own': incident.id },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Put: {
            TableName: this.props.tableName,
            Item: pressureIncidentItem(incident, instanceKey, request.expiresAt),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      this.options,
    );
    if (outcome.ok) return { outcome: 'recorded' };
    const [marker, item] = outcome.reasons;
    if (marker?.failed) {
      const open = marker.item ?? {};
      return {
        outcome: 'cooling',
        incidentId: typeof open.incidentId === 'string' ? open.incidentId : '?',
        cooldownUntilMs: typeof open.cooldownUntilMs === 'number' ? open.cooldownUntilMs : cooldownUntilMs,
      };
    }
    if (item?.failed) return { outcome: 'duplicate' };
    // Cancelled with neither condition failing is a cancellation transactWrite throws; never reached.
    throw new Error('the pressure transaction was cancelled without a failed condition');
  }
}
