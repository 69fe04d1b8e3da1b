import type { MemorySeries, MetricPoint } from '../metrics/memory-series';

/**
 * How long until a memory metric reaches its end (available memory 0 %, swap 100 % used), from the instance's
 * own recent datapoints. The rule, in full:
 * - only the points of the last `FIT_WINDOW_MS` before the warning are fitted: the hour before says where memory
 *   was, the last minutes say where it is going (a leak that started 20 minutes ago is not averaged away);
 * - at least `MIN_POINTS` of them (5 min of the agent's 60 s points), else `too-few-points`: a line through
 *   two or three points is a guess;
 * - an ordinary least-squares line through them (time in hours, value in percentage points);
 * - a metric moving toward its end slower than `MIN_RATE_PER_HOUR` (or away from it) is `flat` or `receding`:
 *   no projection, since dividing by a slope of noise gives any number at all;
 * - the time is from the fitted line's value at the last point (less noisy than the last point alone) to the
 *   end, at the fitted rate; a projection past `NOT_SOON_MS` is `not-soon`: a day ahead, on a straight line, says
 *   nothing about the next day;
 * - a fitted value already at its end is `at-end` (0 minutes).
 */
export const FIT_WINDOW_MS = 20 * 60_000;
export const MIN_POINTS = 5;
/** Percentage points per hour. */
export const MIN_RATE_PER_HOUR = 1;
export const NOT_SOON_MS = 24 * 3_600_000;

export type ProjectionKind = 'soon' | 'not-soon' | 'at-end' | 'flat' | 'receding' | 'too-few-points';

export interface ExhaustionProjection {
  kind: ProjectionKind;
  /** Minutes until the end, for `soon` and `at-end` (0); null otherwise. */
  minutes: number | null;
  /** The fitted rate toward the end, in percentage points per hour (negative: away from it); null without a fit. */
  ratePerHour: number | null;
  /** The fitted value at the last point, in percent; null without a fit. */
  fittedNow: number | null;
  /** The last point's own value, in percent; null when there is none. */
  latest: number | null;
  /** The points fitted, and the span they cover. */
  points: number;
  spanMinutes: number;
}

/** Which way the metric goes as memory runs out: available memory falls to 0 %, swap use rises to 100 %. */
export interface ProjectionTarget {
  end: 0 | 100;
}

/**
 * The projection of `series` toward `target.end`, fitting the points in `[to - FIT_WINDOW_MS, to]`.
 * Pure: the same series and `to` give the same answer.
 */
export function projectExhaustion(
  series: MemorySeries,
  target: ProjectionTarget,
  to: Date,
): ExhaustionProjection {
  const toMs = to.getTime();
  const recent = series.points.filter((p) => {
    const at = Date.parse(p.at);
    return Number.isFinite(at) && at <= toMs && at >= toMs - FIT_WINDOW_MS && Number.isFinite(p.value);
  });
  const last = recent[recent.length - 1] ?? series.points[series.points.length - 1];
  const base = {
    points: recent.length,
    spanMinutes: spanMinutes(recent),
    latest: last ? last.value : null,
  };
  if (recent.length < MIN_POINTS)
    return { ...base, kind: 'too-few-points', minutes: null, ratePerHour: null, fittedNow: null };
  const fit = leastSquares(recent);
  const lastHours = hoursOf(recent[recent.length - 1] as MetricPoint, recent[0] as MetricPoint);
  const fittedNow = fit.intercept + fit.slope * lastHours;
  // Toward the end: available memory falling is a positive rate, swap use rising is.
  // `|| 0`: a flat line's rate is 0, not -0.
  const ratePerHour = (target.end === 0 ? -fit.slope : fit.slope) || 0;
  const remaining = target.end === 0 ? fittedNow : 100 - fittedNow;
  const fitted = { ...base, ratePerHour, fittedNow };
  if (remaining <= 0) return { ...fitted, kind: 'at-end', minutes: 0 };
  if (Math.abs(ratePerHour) < MIN_RATE_PER_HOUR) return { ...fitted, kind: 'flat', minutes: null };
  if (ratePerHour < 0) return { ...fitted, kind: 'receding', minutes: null };
  const ms = (remaining / ratePerHour) * 3_600_000;
  if (ms > NOT_SOON_MS) return { ...fitted, kind: 'not-soon', minutes: null };
  return { ...fitted, kind: 'soon', minutes: Math.round(ms / 60_000) };
}

/** Slope (per hour) and intercept (at the first point) of the least-squares line through the points. */
function leastSquares(points: readonly MetricPoint[]): { slope: number; intercept: number } {
  const first = points[0] as MetricPoint;
  const xs = points.map((p) => hoursOf(p, first));
  const n = points.length;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = points.reduce((a, p) => a + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  points.forEach((p, i) => {
    const dx = (xs[i] as number) - meanX;
    sxy += dx * (p.value - meanY);
    sxx += dx * dx;
  });
  // All points at one time (never from the agent): no slope to fit.
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: meanY - slope * meanX };
}

function hoursOf(point: MetricPoint, first: MetricPoint): number {
  return (Date.parse(point.at) - Date.parse(first.at)) / 3_600_000;
}

function spanMinutes(points: readonly MetricPoint[]): number {
  const first = points[0];
  const last = points[points.length - 1];
  return first && last ? Math.round(hoursOf(last, first) * 60) : 0;
}
