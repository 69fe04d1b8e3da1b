/**
 * Month abbreviations as `%b` prints them in common glibc locales, so that `dmesg -T` and syslog lines
 * written under a non-English locale still yield a date. Keys are lower-cased, without a trailing dot.
 */
const MONTHS_BY_LOCALE: readonly (readonly string[])[] = [
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], // en
  ['jan', 'feb', 'mär', 'apr', 'mai', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dez'], // de
  ['janv', 'févr', 'mars', 'avril', 'mai', 'juin', 'juil', 'août', 'sept', 'oct', 'nov', 'déc'], // fr
  ['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sept', 'oct', 'nov', 'dic'], // es
  ['gen', 'feb', 'mar', 'apr', 'mag', 'giu', 'lug', 'ago', 'set', 'ott', 'nov', 'dic'], // it
  ['jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set', 'out', 'nov', 'dez'], // pt
  ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'], // nl
  ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'], // sv, da
  ['jan', 'feb', 'mar', 'apr', 'mai', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'des'], // nb
  ['sty', 'lut', 'mar', 'kwi', 'maj', 'cze', 'lip', 'sie', 'wrz', 'paź', 'lis', 'gru'], // pl
  ['led', 'úno', 'bře', 'dub', 'kvě', 'čen', 'čec', 'srp', 'zář', 'říj', 'lis', 'pro'], // cs
  ['oca', 'şub', 'mar', 'nis', 'may', 'haz', 'tem', 'ağu', 'eyl', 'eki', 'kas', 'ara'], // tr
  ['янв', 'фев', 'мар', 'апр', 'мая', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'], // ru
  ['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'], // ru (nominative)
  ['січ', 'лют', 'бер', 'кві', 'тра', 'чер', 'лип', 'сер', 'вер', 'жов', 'лис', 'гру'], // uk
  ['tammi', 'helmi', 'maalis', 'huhti', 'touko', 'kesä', 'heinä', 'elo', 'syys', 'loka', 'marras', 'joulu'], // fi
];

const MONTH_INDEX = new Map<string, number>();
for (const names of MONTHS_BY_LOCALE) {
  names.forEach((name, index) => {
    if (!MONTH_INDEX.has(name)) MONTH_INDEX.set(name, index + 1);
  });
}
// Long English names and a few spellings glibc versions differ on.
for (const [name, month] of [
  ['june', 6],
  ['july', 7],
  ['sept', 9],
  ['févr', 2],
  ['fevr', 2],
  ['aout', 8],
  ['dec', 12],
  ['mrz', 3],
] as const) {
  if (!MONTH_INDEX.has(name)) MONTH_INDEX.set(name, month);
}

/** The month number (1-12) of an abbreviated month name in any supported locale, or null. */
export function monthNumber(token: string): number | null {
  let key = token.toLowerCase();
  if (key.endsWith('.')) key = key.slice(0, -1);
  const known = MONTH_INDEX.get(key);
  if (known !== undefined) return known;
  // CJK locales print the number followed by 月 (ja, zh) or 월 (ko).
  const last = key.charAt(key.length - 1);
  if (last === '月' || last === '월') {
    const month = Number(key.slice(0, -1).trim());
    if (Number.isInteger(month) && month >= 1 && month <= 12) return month;
  }
  return null;
}

/** `jan` to `dec` in lower case, by the three letters' codes (each `| 32`, which lower-cases ASCII letters). */
const ENGLISH_MONTHS = new Map(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((name, index) => [
    (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2),
    index + 1,
  ]),
);

/**
 * `monthNumber` of the line's first three characters when they are an English month's letters in any case (what
 * syslog prints under the C locale), read without a slice; null for anything else, which `monthNumber` reads.
 * English names come first in its table, so it answers the same for them.
 */
export function englishMonthAt(line: string): number | null {
  const a = line.charCodeAt(0);
  const b = line.charCodeAt(1);
  const c = line.charCodeAt(2);
  if (!isAsciiLetter(a) || !isAsciiLetter(b) || !isAsciiLetter(c)) return null;
  return ENGLISH_MONTHS.get(((a | 32) << 16) | ((b | 32) << 8) | (c | 32)) ?? null;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
