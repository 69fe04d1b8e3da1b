import { UsageError } from '../usage-error';

/** `--year YYYY` as the reference date for year-less timestamps: the last moment of that year. */
export function referenceDateOption(year: string | undefined): Date | undefined {
  if (year === undefined) return undefined;
  if (!/^\d{4}$/.test(year)) throw new UsageError(`--year takes a four-digit year, got '${year}'`);
  return new Date(Date.UTC(Number(year), 11, 31, 23, 59, 59));
}
