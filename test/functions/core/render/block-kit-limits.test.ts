import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import type { SlackBlock } from '../../../../functions/core/render/slack-blocks';
import { corpusKill, fullOutcome, incidentFor } from './scenarios';

const valid = (): { text: string; blocks: unknown[] } => ({
  text: 'OOM kill: java (pid 4242) on web-1',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'OOM kill', emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: '*Likely cause:* heap' } },
    { type: 'section', fields: [{ type: 'mrkdwn', text: '*RSS*\n3 GiB' }] },
    { type: 'divider' },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'incident' }] },
  ],
});

describe('validateSlackMessage', () => {
  it('accepts a well-formed webhook payload', () => {
    expect(validateSlackMessage(valid())).toEqual([]);
  });

  it('accepts what the renderer produces, typed as @slack/types blocks', async () => {
    const message = renderSlackMessage(
      fullOutcome(incidentFor(await corpusKill('legacy/rhel6-2.6.32-642-global-java-full-syslog.log'))),
    );
    // Our block types are a subset of Slack's own: this assignment fails to compile if they drift apart.
    const blocks: KnownBlock[] = message.blocks satisfies SlackBlock[];
    expect(blocks.length).toBeGreaterThan(3);
    expect(validateSlackMessage(message)).toEqual([]);
  });

  const long = (n: number): string => 'x'.repeat(n);
  const mutate = (change: (payload: { text: string; blocks: unknown[] }) => void): unknown => {
    const payload = valid();
    change(payload);
    return payload;
  };

  it.each([
    ['not an object', 'just text', /not an object/],
    [
      'an unexpected top-level key',
      mutate((p) => Object.assign(p, { attachments: [] })),
      /unexpected top-level keys: attachments/,
    ],
    [
      'an empty text fallback',
      mutate((p) => Object.assign(p, { text: '  ' })),
      /^text must be a non-empty string/,
    ],
    ['no blocks', mutate((p) => Object.assign(p, { blocks: [] })), /blocks must be a non-empty array/],
    [
      '51 blocks',
      mutate((p) => Object.assign(p, { blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) })),
      /51 blocks \(at most 50\)/,
    ],
    [
      'a 151-character header',
      mutate((p) => Object.assign(p.blocks[0] as object, { text: { type: 'plain_text', text: long(151) } })),
      /blocks\[0\]\.text\.text is 151 characters \(at most 150\)/,
    ],
    [
      'a mrkdwn header',
      mutate((p) => Object.assign(p.blocks[0] as object, { text: { type: 'mrkdwn', text: 'x' } })),
      /blocks\[0\]\.text\.type must be plain_text/,
    ],
    [
      'a 3,001-character section',
      mutate((p) => Object.assign(p.blocks[1] as object, { text: { type: 'mrkdwn', text: long(3001) } })),
      /blocks\[1\]\.text\.text is 3001 characters/,
    ],
    [
      '11 fields',
      mutate((p) =>
        Object.assign(p.blocks[2] as object, {
          fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'x' })),
        }),
      ),
      /fields must hold 1\.\.10/,
    ],
    [
      'a 2,001-character field',
      mutate((p) => Object.assign(p.blocks[2] as object, { fields: [{ type: 'mrkdwn', text: long(2001) }] })),
      /fields\[0\]\.text is 2001 characters/,
    ],
    [
      '11 context elements',
      mutate((p) =>
        Object.assign(p.blocks[4] as object, {
          elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'x' })),
        }),
      ),
      /elements must hold 1\.\.10/,
    ],
    [
      'a 256-character block_id',
      mutate((p) => Object.assign(p.blocks[3] as object, { block_id: long(256) })),
      /block_id must be 1\.\.255/,
    ],
    [
      'a duplicate block_id',
      mutate((p) => {
        Object.assign(p.blocks[3] as object, { block_id: 'a' });
        Object.assign(p.blocks[4] as object, { block_id: 'a' });
      }),
      /block_id 'a' is not unique/,
    ],
    [
      'a markdown text type',
      mutate((p) => Object.assign(p.blocks[1] as object, { text: { type: 'markdown', text: 'x' } })),
      /type must be plain_text or mrkdwn/,
    ],
    [
      'emoji on mrkdwn',
      mutate((p) =>
        Object.assign(p.blocks[1] as object, { text: { type: 'mrkdwn', text: 'x', emoji: true } }),
      ),
      /unexpected keys: emoji/,
    ],
    [
      'an unknown block type',
      mutate((p) => p.blocks.push({ type: 'image' })),
      /'image' is not a block this validator knows/,
    ],
    [
      'a section with neither text nor fields',
      mutate((p) => p.blocks.push({ type: 'section' })),
      /needs text or fields/,
    ],
    [
      'a lone surrogate',
      mutate((p) => Object.assign(p.blocks[1] as object, { text: { type: 'mrkdwn', text: 'a\ud800b' } })),
      /lone surrogate/,
    ],
    [
      'an undefined value',
      mutate((p) => Object.assign(p.blocks[3] as object, { block_id: undefined, extra: undefined })),
      /unexpected keys: extra/,
    ],
  ])('reports %s', (_name, payload, problem) => {
    const problems = validateSlackMessage(payload);
    expect(
      problems.some((text) => problem.test(text)),
      problems.join('\n'),
    ).toBe(true);
  });
});
