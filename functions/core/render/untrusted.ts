/**
 * Text a host wrote (process, unit, cgroup, container and host names, command lines, whatever the analysis quotes
 * of them) made safe for each output format, by one function per format. Every renderer passes such text through
 * one of them, after redaction and before fitting to a limit (limits count what is sent).
 *
 * First, `reveal`: characters a reader cannot see, or that reorder what they see, become visible as `<U+202E>`.
 * Removing them would hide the attempt; showing them tells on-call a name is not what it looks like.
 */

/**
 * C0 and C1 controls but tab and newline, every Unicode format character (`\p{Cf}`: bidi embeddings, overrides
 * and isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E, U+200F and U+061C, zero-width space and joiners
 * U+200B–U+200D, word joiner U+2060, BOM U+FEFF, soft hyphen, invisible operators, tags), the line and paragraph
 * separators, and the characters that render as nothing without being format characters (combining grapheme
 * joiner, Hangul and Khmer fillers).
 */
const HIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point here.
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u115f\u1160\u17b4\u17b5\u2028\u2029\u3164\uffa0\p{Cf}]|\u034f/gu;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Hidden characters as `<U+XXXX>`; lone surrogates (invalid once encoded as UTF-8, which Slack and SNS refuse)
 * as U+FFFD. Tab and newline stay. Idempotent: what it writes holds nothing it would change.
 */
export function reveal(text: string): string {
  return text
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(
      HIDDEN,
      (char) => `<U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`,
    );
}

/** Slack's three control characters (its formatting reference: "only three"), as HTML entities. */
function escapeEntities(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * `:name:` would become an emoji (Slack converts the colon format in mrkdwn; only plain_text has a switch,
 * `emoji: false`). Slack documents no escape, so the opening colon of every such pair becomes the look-alike
 * U+A789 (visible, read the same, never parsed). Names of digits only are left alone: they are times
 * (`17:00:28`), and only `:100:` and `:1234:` of Slack's emoji are such names.
 */
function breakShortcodes(text: string): string {
  return text.replace(/:(?=([a-z0-9_+'.-]+):)/gi, (colon, name: string) =>
    /\D/.test(name) ? '\ua789' : colon,
  );
}

/**
 * `@channel`, `@here`, `@everyone`: text Slack preprocesses may notify the channel; the `@` becomes U+FF20 (one
 * UTF-16 unit for one, so a text cut to a limit stays within it). Exported for cuts: `@heres` is no mention, but
 * cut after its `e` it becomes one, so a cut of safe mrkdwn passes through this again.
 */
export function breakBareMentions(text: string): string {
  return text.replace(/@(?=(?:channel|here|everyone)\b)/gi, '\uff20');
}

/**
 * Slack formats `*bold*`, `_italic_`, `~strike~` and `` `code` `` only where a marker is not inside a word, and
 * documents no escape: such markers become look-alikes (∗ ＿ ∼ ʹ). Markers between two letters or digits
 * (`my_app_worker`) are never read as formatting and stay, so names remain what they are. A backtick always goes.
 */
function breakFormatting(text: string): string {
  return text.replace(/[*_~`]/g, (marker, at: number) => {
    const inWord = /[\p{L}\p{N}]/u.test(text[at - 1] ?? '') && /[\p{L}\p{N}]/u.test(text[at + 1] ?? '');
    if (marker !== '`' && inWord) return marker;
    return LOOK_ALIKE[marker] ?? marker;
  });
}

const LOOK_ALIKE: Readonly<Record<string, string>> = {
  '*': '\u2217',
  _: '\uff3f',
  '~': '\u223c',
  '`': '\u02b9',
};

/**
 * Host text inside Slack mrkdwn (sections, fields, context, the fallback `text`): revealed, `&<>` escaped (so
 * `<!channel>`, `<@U…>`, `<#C…>`, `<!subteam^…>` and `<url|label>` stay text), formatting markers, emoji
 * shortcodes and bare `@channel` broken. A quote marker (`>` opening a line) becomes a look-alike too.
 */
export function mrkdwnText(text: string): string {
  const quoteless = reveal(text).replace(/^(\s*)>/gm, '$1\uff1e');
  return breakBareMentions(breakShortcodes(escapeEntities(breakFormatting(quoteless))));
}

/**
 * Host text inside a code span or block: Slack formats nothing there, but a backtick would end it early (it becomes
 * U+02B9) and `&<>` are still parsed; shortcodes are broken as elsewhere. Letters, `*` and `_` stay, so a command
 * line reads (and copies) as it ran.
 */
export function mrkdwnCode(text: string): string {
  return breakBareMentions(breakShortcodes(escapeEntities(reveal(text).replace(/`/g, '\u02b9'))));
}

/**
 * Text to paste (a command, a drop-in) inside a code block: Slack formats nothing there and decodes its entities
 * on display and on copy, so `&<>` are escaped and the copied text is what was written. Shortcodes are left alone
 * (an ARN's `:aws:` must paste as it is; a code block shows no emoji) and so are `*` and `_`; only a backtick
 * goes (U+02B9), since three of them would end the block early.
 */
export function mrkdwnPaste(text: string): string {
  return breakBareMentions(escapeEntities(reveal(text).replace(/`/g, '\u02b9')));
}

/**
 * Host text in a `plain_text` object: revealed only. The object must say `emoji: false` (Slack's switch for the
 * colon format), and Slack parses no mentions or links in plain text.
 */
export function plainText(text: string): string {
  return reveal(text);
}

/**
 * Host text in the Amazon Q Developer custom notification: its `client-markdown` text reaches Slack as mrkdwn, with
 * no `verbatim` to set, so it gets everything `mrkdwnText` does.
 */
export function qText(text: string): string {
  return mrkdwnText(text);
}

/** Host text in SNS (email, SMS, a terminal): no markup to escape, but controls would be shown or obeyed. */
export function snsText(text: string): string {
  return reveal(text);
}
