import { tagged } from '../incident/provenance';
import type { PressureOutcome } from '../pressure/outcome';
import { pressureTextOf } from './pressure-text';
import { describePressure } from './pressure-view';
import { fitBytes, SNS_LIMITS, type SnsNotification, snsAttributes, snsSubject } from './sns';
import { truncate } from './text-fit';
import { snsText } from './untrusted';

/**
 * The warning for SNS: the headline as the subject, the plain text as the body, a short form for SMS, and the
 * attributes a subscription filters on, as for a kill (`eventType` tells them apart: `oom-pressure`).
 */
export function renderPressureSns(outcome: PressureOutcome): SnsNotification {
  const view = describePressure(outcome);
  return {
    subject: snsSubject(tagged(view.provenance, `[OOM warning] ${view.title}`)),
    message: fitBytes(pressureTextOf(view), SNS_LIMITS.messageBytes - SNS_LIMITS.attributesReserveBytes),
    sms: truncate(snsText(tagged(view.provenance, `OOM warning: ${view.title}`)), SNS_LIMITS.smsChars, '...'),
    messageAttributes: snsAttributes({
      eventType: 'oom-pressure',
      severity: view.severity,
      incidentId: view.incidentId,
      instance: outcome.warning.instanceId,
      ...(view.process ? { process: view.process } : {}),
      confirmed: view.confirmation,
      ...(view.provenance ? { provenance: view.provenance.kind } : {}),
    }),
  };
}
