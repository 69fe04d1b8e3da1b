import { TRUNCATION_MARKER, truncate } from './text-fit';
import { breakBareMentions, mrkdwnCode, mrkdwnPaste, mrkdwnText } from './untrusted';

/**
 * Slack mrkdwn helpers. Slack reads `&`, `<` and `>` as control characters (links, mentions such as
 * `<!channel>`), so our own text is escaped to their HTML entities; host text goes through `mrkdwnText` (see
 * untrusted.ts), which does that and more. Cuts happen after escaping (limits count what is sent) and never leave
 * half an entity behind.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Host text made safe for mrkdwn (`mrkdwnText`) and cut to `max`, without a dangling `&am` at the cut. */
export function fitMrkdwn(text: string, max: number): string {
  return fitEscaped(mrkdwnText(text), max);
}

/**
 * Safe mrkdwn cut to `max`: no dangling `&am` at the cut, and no bare mention the cut made (`@heres` cut after its
 * `e` reads `@here…`, which Slack would take for `@here`).
 */
export function fitEscaped(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  return breakBareMentions(truncate(escaped, max).replace(/&[a-z]{0,3}(?=… \(truncated\)$)/, ''));
}

/**
 * A code block of host text (`mrkdwnCode`: a backtick inside would end the block early) whose content is cut to
 * fit, so the closing fence always survives.
 */
export function codeBlock(content: string, max: number): string {
  const fence = '```';
  const room = max - 2 * fence.length - 2;
  return `${fence}\n${fitEscaped(mrkdwnCode(content), room)}\n${fence}`;
}

const FENCE = '```';

/**
 * A code block of lines to paste (`mrkdwnPaste`), cut to `max` with its closing fence kept: the block always
 * opens and closes on lines of their own, so Slack shows exactly the lines inside.
 */
export function pasteBlock(content: string, max: number): string {
  const room = Math.max(0, max - 2 * FENCE.length - 2);
  return `${FENCE}\n${fitEscaped(mrkdwnPaste(content), room)}\n${FENCE}`;
}

/**
 * Prose of ours that quotes commands and settings in backticks: each quoted span becomes an inline code span
 * (`code`), the rest host-safe mrkdwn (`mrkdwnText`), cut to `max` as a whole without breaking a span.
 */
export function fitProse(text: string, max: number): string {
  const parts = text
    .split(/`([^`\n]+)`/)
    .map((part, i) => (i % 2 === 1 ? code(part, 300) : mrkdwnText(part)));
  const whole = parts.join('');
  if (whole.length <= max) return whole;
  // Whole parts while they fit, then the prose part that does not cut (a code span is left out, never cut).
  const room = max - TRUNCATION_MARKER.length;
  let out = '';
  for (const [i, part] of parts.entries()) {
    if (out.length + part.length > room) {
      if (i % 2 === 0)
        out += fitEscaped(part, room - out.length + TRUNCATION_MARKER.length).replace(/… \(truncated\)$/, '');
      break;
    }
    out += part;
  }
  return `${out}${TRUNCATION_MARKER}`;
}

/**
 * Formatted mrkdwn cut to `max`: a cut inside a code block closes the block, so the rest of the message is
 * not read as code (and a half block is visibly cut, with the marker inside it).
 */
export function fitFenced(text: string, max: number): string {
  if (text.length <= max) return text;
  const open = (cut: string): boolean => (cut.split(FENCE).length - 1) % 2 === 1;
  const cut = fitEscaped(text, max);
  if (!open(cut)) return cut;
  const shorter = fitEscaped(text, Math.max(0, max - FENCE.length - 1));
  return open(shorter) ? `${shorter}\n${FENCE}` : shorter;
}

/** An inline code span for a short host value (a unit, a path); long values are cut first. */
export function code(value: string, max = 200): string {
  return `\`${fitEscaped(mrkdwnCode(value), max)}\``;
}

/** `<url|label>`: the URL must not hold `|`, `<` or `>` (ours never do: they are checked when built). */
export function link(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label)}>`;
}
