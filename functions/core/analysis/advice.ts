import type { Advice } from './model';

/**
 * Build an `Advice`, leaving out empty parts (so `code` and `after` are absent, not blank, when there are none).
 * `code` is given as its lines: each is one line to paste.
 */
export function advice(text: string, code?: readonly string[] | null, after?: string | null): Advice {
  const lines = (code ?? []).map((line) => line.trimEnd());
  const result: Advice = { text: text.trim() };
  if (lines.some((line) => line.length > 0)) result.code = lines.join('\n');
  if (after && after.trim().length > 0) result.after = after.trim();
  return result;
}

/**
 * An advice as the notify step reads it from the workflow state, which it does not validate: an execution in
 * flight across a deploy carries an analysis from the previous analyze function, whose recommendation is a string.
 */
export function asAdvice(value: Advice | string | null | undefined): Advice {
  if (typeof value === 'string') return { text: value };
  if (value && typeof value === 'object' && typeof value.text === 'string') return value;
  return { text: '' };
}

/** Prose only: a step with nothing to paste. */
export function prose(text: string): Advice {
  return advice(text);
}

/** The whole advice as plain text, parts on their own lines (empty for none): for logs and tests. */
export function adviceText(item: Advice | null | undefined): string {
  if (!item) return '';
  return [item.text, item.code, item.after].filter((part) => part !== undefined && part !== '').join('\n');
}
