import { describe, expect, it } from 'vitest';
import { FIT_WINDOW_MS, MIN_POINTS, projectExhaustion } from '../../../../functions/core/pressure/projection';
import { series, WARNED_AT } from '../../../support/pressure';

const to = new Date(WARNED_AT);
const AVAILABLE = { end: 0 } as const;
const SWAP_FULL = { end: 100 } as const;

describe('the projection of the time to exhaustion', () => {
  it('projects a falling series at its known slope to the minutes that slope leaves', () => {
    // 6 % available now, 0.4 points more each minute back: falling at 24 points an hour.
    const falling = series('mem_available_percent', 30, (before) => 6 + 0.4 * before);
    const projection = projectExhaustion(falling, AVAILABLE, to);
    const perHour = 0.4 * 60;
    expect(projection.kind).toBe('soon');
    expect(projection.ratePerHour).toBeCloseTo(perHour, 6);
    expect(projection.fittedNow).toBeCloseTo(6, 6);
    expect(projection.minutes).toBe(Math.round((6 / perHour) * 60));
    // Only the points of the fit window are fitted: 20 minutes of one a minute, both ends included.
    expect(projection.points).toBe(FIT_WINDOW_MS / 60_000 + 1);
    expect(projection.spanMinutes).toBe(FIT_WINDOW_MS / 60_000);
  });

  it('makes no projection for a flat series', () => {
    const flat = series('mem_available_percent', 30, () => 40);
    expect(projectExhaustion(flat, AVAILABLE, to)).toMatchObject({
      kind: 'flat',
      minutes: null,
      ratePerHour: 0,
    });
  });

  it('makes no projection when available memory is rising', () => {
    // 20 % now, 0.3 points less each minute back: memory is coming back.
    const rising = series('mem_available_percent', 30, (before) => 20 - 0.3 * before);
    const projection = projectExhaustion(rising, AVAILABLE, to);
    expect(projection.kind).toBe('receding');
    expect(projection.minutes).toBeNull();
    expect(projection.ratePerHour).toBeCloseTo(-0.3 * 60, 6);
  });

  it('makes no projection from too few points', () => {
    const few = series('mem_available_percent', MIN_POINTS - 1, (before) => 6 + before);
    expect(projectExhaustion(few, AVAILABLE, to)).toMatchObject({
      kind: 'too-few-points',
      minutes: null,
      points: MIN_POINTS - 1,
      latest: 6,
    });
  });

  it('fits only the recent window: an hour of fall that stopped 20 minutes ago is flat now', () => {
    const stopped = series('mem_available_percent', 60, (before) => (before <= 20 ? 12 : 12 + (before - 20)));
    expect(projectExhaustion(stopped, AVAILABLE, to).kind).toBe('flat');
  });

  it('projects a noisy fall close to its true slope', () => {
    // 18 points an hour of fall with ±0.8 points of noise, alternating: the fit keeps the slope, one point would not.
    const noisy = series(
      'mem_available_percent',
      30,
      (before) => 9 + 0.3 * before + (before % 2 === 0 ? 0.8 : -0.8),
    );
    const projection = projectExhaustion(noisy, AVAILABLE, to);
    const trueMinutes = (9 / (0.3 * 60)) * 60;
    expect(projection.kind).toBe('soon');
    expect(projection.ratePerHour).toBeGreaterThan(0.3 * 60 * 0.9);
    expect(projection.ratePerHour).toBeLessThan(0.3 * 60 * 1.1);
    expect(Math.abs((projection.minutes ?? 0) - trueMinutes)).toBeLessThan(trueMinutes * 0.15);
  });

  it('projects swap use rising to full', () => {
    // 80 % used now, 0.5 points less each minute back: filling at 30 points an hour, 20 points left.
    const filling = series('swap_used_percent', 30, (before) => 80 - 0.5 * before);
    const projection = projectExhaustion(filling, SWAP_FULL, to);
    expect(projection.kind).toBe('soon');
    expect(projection.minutes).toBe(Math.round((20 / 30) * 60));
  });

  it('says a projection past a day is not soon', () => {
    // 40 % falling at 1.2 points an hour: 2000 minutes away.
    const slow = series('mem_available_percent', 30, (before) => 40 + (1.2 / 60) * before);
    expect(projectExhaustion(slow, AVAILABLE, to)).toMatchObject({ kind: 'not-soon', minutes: null });
  });

  it('says memory already at its end is at its end', () => {
    const gone = series('mem_available_percent', 30, (before) => Math.max(0, before * 0.5 - 2));
    expect(projectExhaustion(gone, AVAILABLE, to)).toMatchObject({ kind: 'at-end', minutes: 0 });
  });

  it('ignores points after the warning and points that are not numbers', () => {
    const later = series(
      'mem_available_percent',
      40,
      (before) => 6 + 0.4 * (before - 10),
      '2026-11-25T03:22:00.000Z',
    );
    const projection = projectExhaustion(later, AVAILABLE, to);
    expect(projection.minutes).toBe(Math.round((6 / 24) * 60));
    const broken = series('mem_available_percent', 30, (before) =>
      before === 3 ? Number.NaN : 6 + 0.4 * before,
    );
    expect(projectExhaustion(broken, AVAILABLE, to).points).toBe(FIT_WINDOW_MS / 60_000);
  });
});
