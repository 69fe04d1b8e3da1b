import type { Advice } from '../analysis/model';
import { clean, oneLine } from './text-fit';

/**
 * An `Advice` ready for any channel: prose on one line each, the code cleaned (hidden characters revealed) but
 * kept line for line, since a drop-in or a recipe is only right with its line breaks. Empty parts are left out.
 */
export function adviceView(item: Advice): Advice {
  const result: Advice = { text: oneLine(item.text) };
  const code = item.code === undefined ? '' : codeLines(item.code);
  if (code.length > 0) result.code = code;
  const after = item.after === undefined ? '' : oneLine(item.after);
  if (after.length > 0) result.after = after;
  return result;
}

/** Lines as they were, without trailing blanks or blank lines around them (`\r` dropped: a paste would keep it). */
function codeLines(code: string): string {
  return clean(code)
    .split(/\r?\n/)
    .map((line) => line.replace(/\r/g, '').trimEnd())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

/**
 * The step on one line, for a notification (the Slack `text`) or a summary row: never flattened code, and never
 * a prose that stops at its colon. A step with code points to the message that shows it.
 */
export function adviceLine(item: Advice): string {
  const text = oneLine(item.text);
  if (!item.code) return text;
  const lines = item.code.split('\n').length;
  const what = lines === 1 ? 'the command to paste is' : `the ${lines} lines to paste are`;
  return `${text.replace(/[\s:;,]+$/, '')} (${what} in the message)`;
}
