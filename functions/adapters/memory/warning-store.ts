import type { ChannelDelivery, NotificationRecord, NotifyChannel } from '../../core/incident/model';
import type { WarningDeliveries, WarningDeliveryStore } from '../../core/respond/notify-ports';
import { keyPart } from '../key-values';

/**
 * Memory-pressure warnings' notification state in memory, with the DynamoDB store's semantics (a claim only on a
 * channel with no delivery or a pending one; a settle only under its own token): for the CLI's replay and tests.
 */
export class MemoryWarningStore implements WarningDeliveryStore {
  private readonly warnings = new Map<string, WarningDeliveries>();

  /** Record a warning, as the pressure function does before it starts the response. */
  open(incidentId: string): void {
    keyPart('incident id', incidentId);
    if (!this.warnings.has(incidentId)) this.warnings.set(incidentId, { incidentId });
  }

  async getWarning(incidentId: string): Promise<WarningDeliveries | null> {
    keyPart('incident id', incidentId);
    const warning = this.warnings.get(incidentId);
    return warning ? structuredClone(warning) : null;
  }

  async claimDelivery(incidentId: string, channel: NotifyChannel, claim: ChannelDelivery): Promise<boolean> {
    const warning = this.warnings.get(keyPart('incident id', incidentId));
    const current = warning?.deliveries?.[channel];
    if (!warning || (current && current.status !== 'pending')) return false;
    warning.deliveries = { ...warning.deliveries, [channel]: { ...claim } };
    return true;
  }

  async settleDelivery(
    incidentId: string,
    channel: NotifyChannel,
    token: string,
    delivery: ChannelDelivery,
  ): Promise<boolean> {
    const warning = this.warnings.get(keyPart('incident id', incidentId));
    if (!warning || warning.deliveries?.[channel]?.token !== token) return false;
    warning.deliveries = { ...warning.deliveries, [channel]: { ...delivery } };
    return true;
  }

  async recordNotification(incidentId: string, notification: NotificationRecord): Promise<void> {
    const warning = this.warnings.get(keyPart('incident id', incidentId));
    if (warning) warning.notification = notification;
  }
}
