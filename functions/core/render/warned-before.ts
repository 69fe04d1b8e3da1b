import type { RelatedIncident } from '../incident/model';
import type { ResponseOutcome } from '../incident/outcome';
import { spanText } from './headline';
import type { Fact } from './kill-facts';
import { percentText } from './pressure-figures';
import { oneLine } from './text-fit';

/**
 * When a memory-pressure warning about this instance went out before the kill, how long before: `Warned: 38 min
 * before the kill: memory-pressure warning at 03:12 UTC, 6 % available`. The latest warning received before the
 * kill among the instance's related incidents (a day); none when there is none.
 */
export function warnedBeforeFacts(outcome: ResponseOutcome): Fact[] {
  const { incident } = outcome;
  const killMs = killTimeMs(incident.firstKill.time, incident.observedAt);
  if (killMs === null) return [];
  const warning = (outcome.related ?? [])
    .filter((other) => other.warning && Date.parse(other.observedAt) <= killMs)
    .sort((a, b) => Date.parse(b.observedAt) - Date.parse(a.observedAt))[0];
  if (!warning) return [];
  const atMs = Date.parse(warning.observedAt);
  const ago = killMs - atMs;
  const span = ago < 90 * 60_000 ? spanText(ago) : `${Math.round(ago / 3_600_000)} h`;
  const clock = `${new Date(atMs).toISOString().slice(11, 16)} UTC`;
  return [
    {
      label: 'Warned',
      value: oneLine(`${span} before the kill: memory-pressure warning at ${clock}${readingOf(warning)}`),
    },
  ];
}

/** `, 6 % available` or `, swap 80 % used`: the datapoint that crossed the alarm's threshold. */
export function readingOf(warning: RelatedIncident): string {
  const value = warning.warning?.latestValue;
  if (value === null || value === undefined) return '';
  return warning.warning?.metric === 'swap_used_percent'
    ? `, swap ${percentText(value)} used`
    : `, ${percentText(value)} available`;
}

/** The kill's own time when the log gave one, else when CloudWatch received it. */
function killTimeMs(time: string | null, observedAt: string): number | null {
  const own = time === null ? Number.NaN : Date.parse(time);
  if (!Number.isNaN(own)) return own;
  const observed = Date.parse(observedAt);
  return Number.isNaN(observed) ? null : observed;
}
