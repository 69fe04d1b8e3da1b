import type { RelatedIncident } from '../incident/model';
import type { ResponseOutcome } from '../incident/outcome';
import { type ConsoleTarget, executionUrl } from './console-links';
import { spanText } from './headline';
import { oneLine } from './text-fit';
import { readingOf } from './warned-before';

/** An earlier incident of the same instance, as a message lists it: one line, and its execution when known. */
export interface RelatedView {
  /** `oom-20261125T100000-3ad3…: python3 (pid 5001), 2 kills, 5 h before (10:00:00 UTC)`. */
  text: string;
  /** Its Step Functions execution in the console, when it started one and the region is known. */
  url: string | null;
}

/**
 * The instance's earlier incidents (`outcome.related`, newest first): which process, how many kills, how long
 * before this one; each linked to its execution, so on-call can open what was found and done then.
 */
export function relatedViews(outcome: ResponseOutcome): RelatedView[] {
  const { incident, context } = outcome;
  const target: ConsoleTarget = {
    partition: context.partition,
    region: context.region || incident.source.region || '',
  };
  const thisMs = Date.parse(incident.observedAt);
  return (outcome.related ?? []).map((other) => ({
    text: oneLine(`${other.incidentId}: ${describe(other)}${before(thisMs, other.observedAt)}`),
    url: other.executionArn ? executionUrl(target, other.executionArn) : null,
  }));
}

function describe(other: RelatedIncident): string {
  if (other.warning) return `memory-pressure warning${readingOf(other)}`;
  const who =
    other.process === null ? 'a kill' : `${other.process}${other.pid === null ? '' : ` (pid ${other.pid})`}`;
  return other.killCount > 1
    ? `${who} + ${other.killCount - 1} more kill${other.killCount > 2 ? 's' : ''}`
    : who;
}

/** `, 5 h before (10:00:00 UTC)`: how long before this incident, on the clock CloudWatch received both by. */
function before(thisMs: number, observedAt: string): string {
  const atMs = Date.parse(observedAt);
  if (Number.isNaN(atMs) || Number.isNaN(thisMs)) return '';
  const ago = thisMs - atMs;
  const span = ago < 90 * 60_000 ? spanText(ago) : `${Math.round(ago / 3_600_000)} h`;
  return `, ${span} before (${new Date(atMs).toISOString().slice(11, 19)} UTC)`;
}
