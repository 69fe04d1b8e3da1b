import type { MemoryPressureStall } from '../diagnostics/pressure-sample';
import { formatKiB } from '../format/bytes';
import type { ExhaustionEstimate } from '../pressure/model';
import type { ExhaustionProjection } from '../pressure/projection';
import type { TopGrower } from '../pressure/top-grower';

/**
 * The figures of a pressure message in words, one function each, shared by the headline and the measured facts
 * so every channel says the same number the same way.
 */

/** `6 %`, `12.5 %`: one decimal below 10, none above, as a person reads a percentage. */
export function percentText(value: number): string {
  const digits = Math.abs(value) < 10 && !Number.isInteger(value) ? 1 : 0;
  return `${value.toFixed(digits)} %`;
}

/** `about 40 min`, `at least 15 min`, `about 5 h`: when memory will likely run out. */
export function whenText(estimate: ExhaustionEstimate): string {
  return `${estimate.bound} ${minutesText(estimate.minutes)}`;
}

/** `40 min` under 90 minutes, `5 h` above. */
export function minutesText(minutes: number): string {
  if (minutes < 1) return 'under a minute';
  return minutes < 90 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

/** `java (pid 4242) grew 1.2 GiB/h`, or `java (pid 4242) is the largest (6.0 GiB), no growth measured`. */
export function growerText(grower: TopGrower): string {
  const who = `${grower.comm} (pid ${grower.pid})`;
  if (grower.kind === 'growing') return `${who} grew ${formatKiB(grower.kbPerHour)}/h`;
  return `${who} is the largest (${formatKiB(grower.rssKb)}), no growth measured`;
}

/** The grower with how its rate was measured, for the facts. */
export function growerDetail(grower: TopGrower): string {
  if (grower.kind === 'largest')
    return `${growerText(grower)}: the diagnostics took one sample only, or nothing grew between their two`;
  return `${growerText(grower)} (RSS ${formatKiB(grower.rssKb)}, measured over ${grower.sinceSeconds} s between two samples)`;
}

/**
 * `falling 24 points/h over the last 20 min: 0 % in about 15 min`, or why there is no projection, for one metric.
 */
export function projectionText(projection: ExhaustionProjection, what: 'available' | 'swap'): string {
  const moving = what === 'available' ? 'falling' : 'rising';
  const end = what === 'available' ? '0 % available' : 'swap full';
  const over = `over the last ${projection.spanMinutes} min (${projection.points} points)`;
  const rate =
    projection.ratePerHour === null ? '' : `${moving} ${round1(projection.ratePerHour)} points/h ${over}`;
  switch (projection.kind) {
    case 'soon':
      return `${rate}: ${end} in about ${minutesText(projection.minutes ?? 0)}`;
    case 'at-end':
      return `${end} already (${over})`;
    case 'not-soon':
      return `${rate}: not within a day at this rate`;
    case 'flat':
      return `flat ${over}: no projection`;
    case 'receding':
      return `${what === 'available' ? 'rising' : 'falling'} ${over}: no projection`;
    default:
      return `only ${projection.points} points in the last 20 min: too few to project`;
  }
}

/** `some 12.5 % (10 s), 8.1 % (60 s); full 3.1 % (10 s), 1.9 % (60 s)`: the kernel's figures as it printed them. */
export function stallText(stall: MemoryPressureStall): string {
  const pair = (a: { avg10: number; avg60: number }) => `${a.avg10} % (10 s), ${a.avg60} % (60 s)`;
  return `some ${pair(stall.some)}${stall.full ? `; full ${pair(stall.full)}` : ''}`;
}

function round1(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}
