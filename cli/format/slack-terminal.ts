import type { SlackBlock, SlackMessage } from '../../functions/core/render/slack-blocks';

const WIDTH = 100;

/**
 * A Slack Block Kit message laid out for a terminal, block by block, so the demo shows the message people would
 * see in the channel: the header boxed, sections as text, fields as `label: value` lines, context lines last.
 * mrkdwn is undone only as far as reading needs: entities decoded, links as `label (url)`, code fences dropped.
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

function readable(mrkdwn: string): string {
  return (
    mrkdwn
      .replace(/```\n?/g, '')
      .replace(/<([^|>\s]+)\|([^>]+)>/g, '$2 ($1)')
      .replace(/:([a-z_]+):/g, (code, name: string) => EMOJI[name] ?? code)
      // Bold and italics as Slack reads them: markers at word boundaries only (a name may hold `*` or `_`).
      .replace(/(^|\s)\*([^*\n]+)\*(?=\s|$)/gm, '$1$2')
      .replace(/(^|\s)_([^_\n]+)_(?=\s|$)/gm, '$1$2')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  );
}
