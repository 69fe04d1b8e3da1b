import { truncate } from './text-fit';

/**
 * Slack mrkdwn helpers. Slack reads `&`, `<` and `>` as control characters (links, mentions such as
 * `<!channel>`), so every text from a host is escaped to their HTML entities; nothing else is escaped, as Slack
 * asks. Cuts happen after escaping (limits count what is sent) and never leave half an entity behind.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped text cut to `max`, without a dangling `&am` at the cut. */
export function fitMrkdwn(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  const cut = truncate(escaped, max);
  return cut.replace(/&[a-z]{0,3}(?=… \(truncated\)$)/, '');
}

/**
 * A code block whose content is cut to fit, so the closing fence always survives. Backticks inside would end the
 * block early; they become a look-alike quote.
 */
export function codeBlock(content: string, max: number): string {
  const fence = '```';
  const inner = escapeMrkdwn(content.replace(/`/g, 'ʹ'));
  const room = max - 2 * fence.length - 2;
  const fitted =
    inner.length <= room ? inner : truncate(inner, room).replace(/&[a-z]{0,3}(?=… \(truncated\)$)/, '');
  return `${fence}\n${fitted}\n${fence}`;
}

/** An inline code span for a short value (a unit, a path); long values are cut first. */
export function code(value: string, max = 200): string {
  return `\`${fitMrkdwn(value.replace(/`/g, 'ʹ'), max)}\``;
}

/** `<url|label>`: the URL must not hold `|`, `<` or `>` (ours never do: they are checked when built). */
export function link(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label)}>`;
}
