import type { SubscriptionBatch } from '../../../functions/core/cloudwatch/subscription-payload';
import { batchOf, matchesFilter, reportLines } from '../../support/subscription';

/**
 * One subscription batch holding `kills` kills of one stream, `stepMs` apart: each the three lines of a real
 * report the subscription filter passes (trigger, constraint, kill line), with its own pid and kernel time, as
 * a crash-looping service or a backlog delivered at once would give.
 */
export function killSeries(
  kills: number,
  options: { logStream: string; startMs: number; stepMs: number; host?: string },
): SubscriptionBatch {
  const template = reportLines(options.host).filter(matchesFilter);
  const batches = Array.from({ length: kills }, (_, i) =>
    batchOf(
      template.map((line) => asKill(line, i)),
      { logStream: options.logStream, startMs: options.startMs + i * options.stepMs },
    ),
  );
  const [first] = batches;
  if (!first) throw new Error('a series of no kills');
  return { ...first, logEvents: batches.flatMap((batch) => batch.logEvents) };
}

/** A line of the real report as kill `i` of a series prints it: its own pid and kernel time. */
function asKill(line: string, i: number): string {
  return line
    .replace(/\b3920\b/g, String(10_000 + i))
    .replace(/\[ *321\.(\d+)\]/, (_, fraction: string) => `[${1000 + i * 30}.${fraction}]`);
}

/**
 * The stream as GetLogEvents holds it around kill `i` of `killSeries` (its kill line at `atMs`): the whole
 * 78-line report, task table and memory summary included.
 */
export function reportAround(
  atMs: number,
  i: number,
  host?: string,
): { timestamp: number; message: string }[] {
  const lines = reportLines(host);
  return lines.map((line, n) => ({ timestamp: atMs - (lines.length - 1 - n), message: asKill(line, i) }));
}
