import type { ResponseOutcome } from '../incident/outcome';
import { tagged } from '../incident/provenance';
import { plainTextOf } from './plain-text';
import { oneLine, present, truncate } from './text-fit';
import { snsText } from './untrusted';
import { describeOutcome, type OutcomeView, safeOutcome } from './view';

/**
 * SNS limits (Publish API reference): `Subject` is for email subscribers, "UTF-8 text with no line breaks or
 * control characters, and less than 100 characters long" (ASCII is the safe reading: older revisions say ASCII,
 * and email subjects are ASCII); the message is at most 256 KiB (262,144 bytes) with its attributes; an SMS is
 * 140 bytes a part. Attribute names: letters, digits, `_ - .`, at most 256 characters; a String value has the
 * message's restrictions and must not be empty.
 */
export const SNS_LIMITS = {
  subjectChars: 99,
  messageBytes: 262_144,
  /** Room kept for the attributes, which count toward the same 256 KiB. */
  attributesReserveBytes: 8_192,
  smsChars: 140,
  attributeValueChars: 256,
} as const;

export interface SnsStringAttribute {
  DataType: 'String';
  StringValue: string;
}

/** `Subject`, `Message` and `MessageAttributes` for `PublishCommand`, plus a short form for SMS. */
export interface SnsNotification {
  subject: string;
  message: string;
  sms: string;
  messageAttributes: Record<string, SnsStringAttribute>;
}

export function renderSnsNotification(raw: ResponseOutcome): SnsNotification {
  const outcome = safeOutcome(raw);
  const view = describeOutcome(outcome);
  const incident = outcome.incident;
  const instance =
    present(incident.instance.instanceId) ??
    present(incident.instance.hostname) ??
    present(incident.firstKill.hostname);
  return {
    // The headline, as every channel's title has it; one victim reads "<victim> killed on <host>".
    subject: snsSubject(
      tagged(
        view.provenance,
        `[OOM ${view.severityLabel}] ${view.headline}${view.headline === view.victim ? ' killed' : ''} on ${view.host}`,
      ),
    ),
    message: fitBytes(plainTextOf(view), SNS_LIMITS.messageBytes - SNS_LIMITS.attributesReserveBytes),
    sms: smsText(view),
    messageAttributes: snsAttributes({
      eventType: 'oom-kill',
      severity: view.severity,
      incidentId: view.incidentId,
      instance: present(instance) ?? 'unresolved',
      process: view.victim.replace(/ \(pid \d+\)$/, ''),
      // For a filter policy that keeps samples and demos out of a channel; a live message has no such attribute.
      ...(view.provenance ? { provenance: view.provenance.kind } : {}),
    }),
  };
}

/** One line of printable ASCII under 100 characters; anything else becomes `?`. */
export function snsSubject(text: string): string {
  const ascii = oneLine(text).replace(/[^\x20-\x7e]/gu, '?');
  return truncate(ascii || 'OOM kill', SNS_LIMITS.subjectChars, '...');
}

/** String attributes for subscription filter policies; empty values are left out (SNS refuses them). */
export function snsAttributes(values: Record<string, string>): Record<string, SnsStringAttribute> {
  const attributes: Record<string, SnsStringAttribute> = {};
  for (const [name, value] of Object.entries(values)) {
    const clean = oneLine(value);
    if (clean.length === 0 || !/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,255}$/.test(name)) continue;
    attributes[name] = {
      DataType: 'String',
      StringValue: truncate(clean, SNS_LIMITS.attributeValueChars, '...'),
    };
  }
  return attributes;
}

function smsText(view: OutcomeView): string {
  const why = view.cause ? view.cause.title : view.kernelFinding;
  return truncate(
    snsText(tagged(view.provenance, `OOM ${view.severityLabel}: ${view.headline} on ${view.host}. ${why}`)),
    SNS_LIMITS.smsChars,
    '...',
  );
}

/** Cut text to a UTF-8 byte budget, visibly. */
export function fitBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let chars = Math.min(text.length, maxBytes);
  while (chars > 0 && Buffer.byteLength(truncate(text, chars), 'utf8') > maxBytes)
    chars = Math.floor(chars * 0.9);
  return truncate(text, chars);
}
