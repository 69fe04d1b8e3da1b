import { reveal } from './untrusted';

/**
 * Fitting text into a channel's limits, visibly: a cut always ends with the marker, never mid-character.
 * Lengths are UTF-16 code units (`String.length`), which is never fewer than the characters Slack or SNS count,
 * so a text that fits here fits there.
 */
export const TRUNCATION_MARKER = '… (truncated)';

/** Cut `text` to at most `max` code units, ending with the marker when anything was cut. */
export function truncate(text: string, max: number, marker: string = TRUNCATION_MARKER): string {
  if (text.length <= max) return text;
  if (max <= marker.length) return marker.slice(0, Math.max(0, max));
  let end = max - marker.length;
  // Never leave half of a surrogate pair behind.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}${marker}`;
}

/** Lines joined with `\n`, keeping whole lines while they fit, then one line saying how many were left out. */
export function fitLines(lines: readonly string[], max: number, what = 'more'): string {
  const all = lines.join('\n');
  if (all.length <= max) return all;
  const noteFor = (count: number): string => `… and ${count} ${what} (truncated)`;
  const noteRoom = noteFor(lines.length).length + 1;
  const kept: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const cost = (kept.length > 0 ? 1 : 0) + line.length;
    const reserve = i === lines.length - 1 ? 0 : noteRoom;
    if (used + cost + reserve > max) break;
    kept.push(line);
    used += cost;
  }
  const omitted = lines.length - kept.length;
  if (kept.length === 0) return truncate(all, max);
  return omitted === 0 ? kept.join('\n') : `${kept.join('\n')}\n${noteFor(omitted)}`;
}

/**
 * Make a host's string safe to show in any format: what cannot be seen or reorders text becomes visible as
 * `<U+202E>`, lone surrogates (invalid UTF-8 once encoded, which Slack and SNS refuse) U+FFFD (`reveal`).
 */
export function clean(text: string): string {
  return reveal(text);
}

/** One line: newlines and tabs become spaces too (a field value, a subject, a list item). */
export function oneLine(text: string): string {
  return clean(text).replace(/\s+/g, ' ').trim();
}

/** The text when it holds something other than whitespace, else null: a blank name is no name. */
export function present(text: string | null | undefined): string | null {
  return text && text.trim().length > 0 ? text : null;
}
