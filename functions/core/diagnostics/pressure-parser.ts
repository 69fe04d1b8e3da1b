import type {
  MemoryPressureStall,
  PressureSample,
  ProcessGrowth,
  ProcessSmapsRollup,
  StallAverages,
} from './pressure-sample';
import { listOf } from './summary-lines';

type Fields = ReadonlyMap<string, string>;

/**
 * The pressure keys of the collect-diagnostics summary (`pressure.some.*`, `pressure.full.*`,
 * `pressure.smaps.<n>.*`, `pressure.growth.<n>.*`, `pressure.previousSampleAt`; docs/ssm-documents.md).
 *
 * - undefined: a script too old to collect them (no `event.mode` and no `pressure.` key);
 * - null: this run collected none (no PSI on this kernel, and kill mode, which reads neither rollups nor growth);
 * - else what it collected.
 *
 * Strict: a figure that is not a number as the script prints it drops its record (a stall line, a rollup, a
 * growth entry) rather than become a zero, and a growth entry whose rate disagrees with its own samples is
 * dropped too: a figure the host did not measure is never reported.
 */
export function parsePressureSample(f: Fields): PressureSample | null | undefined {
  if (!f.has('event.mode') && ![...f.keys()].some((key) => key.startsWith('pressure.'))) return undefined;
  const stall = stallOf(f);
  // The script picks the largest by VmRSS a moment before it reads each rollup: order by the rollups' own RSS.
  const smaps = listOf(f, 'pressure.smaps')
    .flatMap(rollupOf)
    .sort((a, b) => b.rssKb - a.rssKb);
  const growth = listOf(f, 'pressure.growth')
    .flatMap(growthOf)
    .sort((a, b) => b.kbPerHour - a.kbPerHour);
  const previousSampleAt = isoTime(f.get('pressure.previousSampleAt'));
  if (!stall && smaps.length === 0 && growth.length === 0 && !previousSampleAt) return null;
  return { stall, smaps, growth, previousSampleAt };
}

function stallOf(f: Fields): MemoryPressureStall | null {
  const some = averagesOf(f, 'some');
  return some ? { some, full: averagesOf(f, 'full') } : null;
}

function averagesOf(f: Fields, kind: 'some' | 'full'): StallAverages | null {
  const share = (name: string): number | null => {
    const value = f.get(`pressure.${kind}.${name}`);
    // The kernel prints each average as a percentage with two decimals.
    return value !== undefined && /^\d{1,3}\.\d{2}$/.test(value) && Number(value) <= 100
      ? Number(value)
      : null;
  };
  const avg10 = share('avg10');
  const avg60 = share('avg60');
  const avg300 = share('avg300');
  const totalUs = count(f.get(`pressure.${kind}.totalUs`));
  if (avg10 === null || avg60 === null || avg300 === null || totalUs === null) return null;
  return { avg10, avg60, avg300, totalUs };
}

function rollupOf(r: ReadonlyMap<string, string>): ProcessSmapsRollup[] {
  const pid = positive(r.get('pid'));
  const rssKb = count(r.get('rssKb'));
  const comm = r.get('comm');
  if (pid === null || rssKb === null || !comm) return [];
  return [
    {
      pid,
      comm,
      rssKb,
      pssKb: count(r.get('pssKb')),
      anonymousKb: count(r.get('anonymousKb')),
      swapKb: count(r.get('swapKb')),
    },
  ];
}

function growthOf(r: ReadonlyMap<string, string>): ProcessGrowth[] {
  const pid = positive(r.get('pid'));
  const comm = r.get('comm');
  const rssKb = count(r.get('rssKb'));
  const previousRssKb = count(r.get('previousRssKb'));
  const seconds = r.get('sinceSeconds');
  const sinceSeconds = seconds !== undefined && /^\d{1,5}\.\d{2}$/.test(seconds) ? Number(seconds) : null;
  const rate = r.get('kbPerHour');
  const kbPerHour = rate !== undefined && /^-?\d{1,16}$/.test(rate) ? Number(rate) : null;
  if (
    pid === null ||
    !comm ||
    rssKb === null ||
    previousRssKb === null ||
    !sinceSeconds ||
    kbPerHour === null
  )
    return [];
  // The script truncates the rate to whole KiB/h from its own samples; anything else is not its figure.
  const expected = ((rssKb - previousRssKb) * 3600) / sinceSeconds;
  if (Math.abs(expected - kbPerHour) > 1) return [];
  return [{ pid, comm, rssKb, previousRssKb, sinceSeconds, kbPerHour }];
}

/** A whole number of at most 15 digits (KiB, microseconds), or null. */
function count(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : null;
}

function positive(value: string | undefined): number | null {
  const n = count(value);
  return n !== null && n > 0 ? n : null;
}

/** The script's `%Y-%m-%dT%H:%M:%SZ`, or null. */
function isoTime(value: string | undefined): string | null {
  return value !== undefined &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value) &&
    !Number.isNaN(Date.parse(value))
    ? value
    : null;
}
