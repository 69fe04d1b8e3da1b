import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import type { QCustomNotification } from '../../../../functions/core/render/q-notification';
import type { SlackMessage } from '../../../../functions/core/render/slack-blocks';
import type { SnsNotification } from '../../../../functions/core/render/sns';

/**
 * What every rendering of host text must never hold, as checks that return the problems found (empty when the
 * output is safe), so a property test can count failing runs as well as assert none.
 */

/**
 * Characters a reader cannot see or that reorder what they see: C0/C1 controls but tab and newline, every
 * Unicode format character (bidi overrides and isolates, marks, zero-width characters, word joiner, BOM, tags),
 * line and paragraph separators, and fillers that render as nothing. Lone surrogates are invalid UTF-8.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point here.
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u115f\u1160\u17b4\u17b5\u2028\u2029\u3164\uffa0\p{Cf}]|\u034f|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;

/** Slack's mention and command syntax: `<!channel>`, `<!here>`, `<@U…>`, `<#C…>`, `<!subteam^…>`, `<!date…>`. */
const MENTION = /<[!@#]/;

/** `@channel` and friends, which Slack may parse in text it preprocesses (no `verbatim`). */
const BARE_MENTION = /@(?:channel|here|everyone)\b/i;

/**
 * The emoji shortcodes the renderers write themselves; any other `:name:` came from a host. Names of digits only
 * (`:100:`, `:1234:`) are left out of the check, as the renderer leaves them (times like `17:00:28`).
 */
const OUR_EMOJI = new Set([
  'warning',
  'white_check_mark',
  'heavy_check_mark',
  'test_tube',
  'no_entry',
  'x',
  'fast_forward',
  'repeat',
]);
const SHORTCODE = /:([a-z0-9_+'.-]*[a-z_+'.-][a-z0-9_+'.-]*):/gi;

/**
 * The arbitraries' formatting probes (`*pwned*`, `_pwned_`, …) must not reach the output as Slack would format
 * them: markers that open after, and close before, something other than a letter or digit (`a_pwned_b` is no
 * italics).
 */
const FORMATTED_PROBE = /(?<![\p{L}\p{N}])[*_~`]pwned[*_~`](?![\p{L}\p{N}])/u;

export function invisibleProblems(where: string, text: string): string[] {
  const found = INVISIBLE.exec(text);
  if (!found) return [];
  const code = (found[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return [`${where}: raw U+${code}`];
}

/** Text Slack reads as mrkdwn (a section, a field, the fallback `text`, the Amazon Q payload). */
export function mrkdwnProblems(where: string, text: string): string[] {
  const problems = invisibleProblems(where, text);
  if (MENTION.test(text)) problems.push(`${where}: unescaped mention ${MENTION.exec(text)?.[0]}`);
  if (BARE_MENTION.test(text)) problems.push(`${where}: bare ${BARE_MENTION.exec(text)?.[0]}`);
  // The URL of a link is ours, built and encoded apart (an ARN's colons in it are no emoji); its label is checked.
  const withoutUrls = text.replace(/<https:\/\/[^|>\s]+\|/g, '<|');
  // Code blocks hold text to paste (an ECS task ARN's `:aws:`, a unit name): a `:name:` there is kept as written,
  // since a look-alike colon would break the pasted command, and copying an emoji from Slack gives its `:name:`.
  const outsideBlocks = withoutUrls.replace(/```[\s\S]*?```/g, '');
  for (const match of outsideBlocks.matchAll(SHORTCODE)) {
    if (!OUR_EMOJI.has(match[1] ?? '')) problems.push(`${where}: emoji shortcode ${match[0]}`);
  }
  // Slack formats nothing inside code, where markers stay as the host wrote them.
  const outsideCode = withoutUrls.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const formatted = FORMATTED_PROBE.exec(outsideCode);
  if (formatted) problems.push(`${where}: formatting ${formatted[0]}`);
  return problems;
}

export function slackProblems(message: SlackMessage): string[] {
  const problems = [...validateSlackMessage(JSON.parse(JSON.stringify(message)))];
  problems.push(...mrkdwnProblems('text', message.text));
  message.blocks.forEach((block, i) => {
    const at = `blocks[${i}]`;
    if (block.type === 'header') {
      problems.push(...invisibleProblems(at, block.text.text));
      if (block.text.emoji !== false) problems.push(`${at}: plain_text without emoji: false`);
    }
    const texts =
      block.type === 'section'
        ? [...(block.text ? [block.text] : []), ...(block.fields ?? [])]
        : block.type === 'context'
          ? block.elements
          : [];
    for (const text of texts) {
      if (text.type === 'plain_text') {
        problems.push(...invisibleProblems(at, text.text));
        if (text.emoji !== false) problems.push(`${at}: plain_text without emoji: false`);
      } else {
        problems.push(...mrkdwnProblems(at, text.text));
        if (text.verbatim !== true) problems.push(`${at}: mrkdwn without verbatim: true`);
      }
    }
  });
  return problems;
}

export function qProblems(q: QCustomNotification): string[] {
  const { content, metadata } = q;
  const shown = [
    ['title', content.title],
    ['description', content.description],
    ['summary', metadata.summary],
    ...content.nextSteps.map((step, i) => [`nextSteps[${i}]`, step]),
    ...content.keywords.map((word, i) => [`keywords[${i}]`, word]),
    ...Object.entries(metadata.additionalContext).map(([key, value]) => [`additionalContext.${key}`, value]),
  ] as const;
  return [
    ...shown.flatMap(([where, text]) => mrkdwnProblems(where, text)),
    ...metadata.relatedResources.flatMap((id, i) => invisibleProblems(`relatedResources[${i}]`, id)),
  ];
}

/** SNS carries no markup, but email clients and terminals show (or obey) what it carries. */
export function snsProblems(sns: SnsNotification): string[] {
  return [
    ...invisibleProblems('subject', sns.subject),
    ...invisibleProblems('message', sns.message),
    ...invisibleProblems('sms', sns.sms),
    ...Object.entries(sns.messageAttributes).flatMap(([name, attribute]) =>
      invisibleProblems(`attribute ${name}`, attribute.StringValue),
    ),
  ];
}
