import { truncate } from './text-fit';
import { mrkdwnCode, mrkdwnText } from './untrusted';

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

function fitEscaped(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  return truncate(escaped, max).replace(/&[a-z]{0,3}(?=… \(truncated\)$)/, '');
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

/** An inline code span for a short host value (a unit, a path); long values are cut first. */
export function code(value: string, max = 200): string {
  return `\`${fitEscaped(mrkdwnCode(value), max)}\``;
}

/** `<url|label>`: the URL must not hold `|`, `<` or `>` (ours never do: they are checked when built). */
export function link(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label)}>`;
}
