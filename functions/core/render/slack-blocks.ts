import { fitFenced, fitMrkdwn } from './mrkdwn';
import { truncate } from './text-fit';
import { plainText } from './untrusted';

/**
 * The slice of Block Kit this project sends to an incoming webhook, and builders that keep every block within
 * Slack's limits by construction (a visible cut, never a rejected message). Limits: Slack's Block Kit reference
 * (header, section, context blocks; text objects) as restated by the Slack SDKs' validators.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  blockId: 255,
  /**
   * Our cap for the top-level `text`. The old documented 40,000 no longer holds: Slack's maintainers report
   * `msg_too_long` from about 4,000 (slackapi/ChatGPT-in-Slack#102).
   */
  fallbackText: 3000,
  /**
   * All text of all blocks together. Slack refuses more with `msg_blocks_too_long`, a limit it does not document;
   * its maintainers put it at "12,000 text characters with a buffer for block containers" (slackapi/bolt-js#2509),
   * and a rejection at 11,341 measured characters is reported (slackapi/bolt-js#2867). We stay well under.
   */
  blocksTextBudget: 9000,
} as const;

export interface PlainTextObject {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface MrkdwnObject {
  type: 'mrkdwn';
  text: string;
  /** `true`: Slack neither links bare URLs and channel names nor parses bare mentions in host text. */
  verbatim?: boolean;
}

export type TextObject = PlainTextObject | MrkdwnObject;

export interface HeaderBlock {
  type: 'header';
  text: PlainTextObject;
  block_id?: string;
}

export interface SectionBlock {
  type: 'section';
  text?: MrkdwnObject;
  fields?: MrkdwnObject[];
  block_id?: string;
}

export interface ContextBlock {
  type: 'context';
  elements: TextObject[];
  block_id?: string;
}

export interface DividerBlock {
  type: 'divider';
  block_id?: string;
}

export type SlackBlock = HeaderBlock | SectionBlock | ContextBlock | DividerBlock;

/** What an incoming webhook accepts: `text` is the notification and fallback, `blocks` the message. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/**
 * The severity mark of headers and of the Amazon Q title, as Unicode characters rather than `:rotating_light:`:
 * the header is plain text with `emoji: false`, so that a shortcode in a host's name stays text.
 */
export const SEVERITY_EMOJI = { critical: '\u{1f6a8}', warning: '\u26a0\ufe0f' } as const;

/**
 * The header: plain text (host text revealed, `plainText`) with `emoji: false`, so a `:name:` in a host's name
 * stays text; the severity emoji is ours, written as Unicode characters, which show either way.
 */
export function header(text: string): HeaderBlock {
  const plain = truncate(plainText(text).replace(/\s+/g, ' ').trim() || 'OOM kill', SLACK_LIMITS.headerText);
  return { type: 'header', text: { type: 'plain_text', text: plain, emoji: false } };
}

/**
 * A mrkdwn text object with `verbatim: true`: every one of ours may hold host text, and our links and mentions
 * are written in Slack's manual syntax (`<url|label>`), which verbatim text still parses.
 */
function mrkdwn(text: string): MrkdwnObject {
  return { type: 'mrkdwn', text, verbatim: true };
}

/** A section of already formatted mrkdwn (host text through `mrkdwnText` before), cut to the section limit. */
export function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(fitFormatted(text, SLACK_LIMITS.sectionText)) };
}

/** Label/value pairs as two-column fields; values are host text, made safe here (`mrkdwnText`). At most ten. */
export function fields(
  pairs: readonly { label: string; value: string }[],
  maxValue: number = SLACK_LIMITS.fieldText - 110,
): SectionBlock {
  const valueRoom = Math.min(maxValue, SLACK_LIMITS.fieldText - 110);
  return {
    type: 'section',
    fields: pairs
      .slice(0, SLACK_LIMITS.fields)
      .map((pair) =>
        mrkdwn(
          fitFormatted(
            `*${fitMrkdwn(pair.label, 100)}*\n${fitMrkdwn(pair.value, valueRoom)}`,
            SLACK_LIMITS.fieldText,
          ),
        ),
      ),
  };
}

/** Small grey lines (mrkdwn, already formatted), at most ten. */
export function context(mrkdwns: readonly string[]): ContextBlock {
  return {
    type: 'context',
    elements: mrkdwns
      .filter((text) => text.trim().length > 0)
      .slice(0, SLACK_LIMITS.contextElements)
      .map((text) => mrkdwn(fitFormatted(text, SLACK_LIMITS.contextText))),
  };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

/** Every text of the blocks, counted as Slack counts toward `msg_blocks_too_long` (as far as it is known). */
export function blocksTextLength(blocks: readonly SlackBlock[]): number {
  let total = 0;
  for (const block of blocks) {
    if (block.type === 'header') total += block.text.text.length;
    if (block.type === 'section') {
      total += block.text?.text.length ?? 0;
      for (const field of block.fields ?? []) total += field.text.length;
    }
    if (block.type === 'context') for (const element of block.elements) total += element.text.length;
  }
  return total;
}

/**
 * Cut formatted mrkdwn without leaving half an entity or an open code block; an empty text (Slack refuses it)
 * becomes a dash.
 */
function fitFormatted(text: string, max: number): string {
  const cut = fitFenced(text, max);
  return cut.trim().length > 0 ? cut : '-';
}
