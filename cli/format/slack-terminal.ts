import type { SlackBlock, SlackMessage } from '../../functions/core/render/slack-blocks';

const WIDTH = 100;

/**
 * A Slack Block Kit message laid out for a terminal, block by block, so the demo shows the message people would
 * see in the channel: the header boxed, sections as text, fields as `label: value` lines, context lines last.
 * mrkdwn is undone only as far as reading needs: entities decoded, links as `label (url)`, code shown as code.
 */
export function slackMessageForTerminal(message: SlackMessage): string {
  const lines: string[] = [];
  for (const block of message.blocks) lines.push(...blockLines(block));
  return `${lines.join('\n')}\n`;
}

function blockLines(block: SlackBlock): string[] {
  switch (block.type) {
    case 'header': {
      const text = block.text.text.replace(/:([a-z_]+):/g, (code, name: string) => EMOJI[name] ?? code);
      const rule = '═'.repeat(Math.min(WIDTH, text.length + 4));
      return [rule, `  ${text}`, rule];
    }
    case 'section': {
      const out: string[] = [];
      if (block.text) out.push('', ...readable(block.text.text).split('\n'));
      if (block.fields) {
        out.push('');
        for (const field of block.fields) {
          const [label = '', ...value] = readable(field.text).split('\n');
          out.push(`  ${label.padEnd(24)} ${value.join(' ')}`);
        }
      }
      return out;
    }
    case 'context':
      return ['', ...block.elements.map((element) => `  ${readable(element.text)}`)];
    case 'divider':
      return ['', '─'.repeat(WIDTH)];
    default:
      return [];
  }
}

/** The emoji codes the renderer uses, as characters a terminal shows. */
const EMOJI: Readonly<Record<string, string>> = {
  warning: '⚠️',
  rotating_light: '🚨',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  test_tube: '🧪',
  no_entry: '⛔',
  x: '❌',
  fast_forward: '⏩',
  repeat: '🔁',
};

/**
 * mrkdwn as a terminal reader sees it. Code (``` blocks, `spans`) is shown as code and left as written: only
 * Slack's entities are decoded, so a `*` or `_` in a command or a drop-in survives. A block's lines are indented
 * by four spaces, on lines of their own, so they can be selected and pasted whole.
 */
function readable(mrkdwn: string): string {
  return mrkdwn
    .split(/```\n?([\s\S]*?)\n?```/)
    .map((part, i) => (i % 2 === 1 ? codeLines(part) : prose(part)))
    .join('');
}

function codeLines(code: string): string {
  return decode(code)
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/** Prose: links as `label (url)`, emoji codes as characters, bold and italics undone outside inline code. */
function prose(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? decode(part) : decode(formatting(part))))
    .join('');
}

function formatting(text: string): string {
  return (
    text
      .replace(/<([^|>\s]+)\|([^>]+)>/g, '$2 ($1)')
      .replace(/:([a-z_]+):/g, (code, name: string) => EMOJI[name] ?? code)
      // Bold and italics as Slack reads them: markers at word boundaries only (a name may hold `*` or `_`).
      .replace(/(^|\s)\*([^*\n]+)\*(?=\s|$)/gm, '$1$2')
      .replace(/(^|\s)_([^_\n]+)_(?=\s|$)/gm, '$1$2')
  );
}

function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
