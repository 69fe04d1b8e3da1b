import { blocksTextLength, SLACK_LIMITS, type SlackBlock } from './slack-blocks';

/**
 * Check a Slack incoming-webhook payload against what Slack accepts, for the blocks this project sends:
 * `{text, blocks}` and nothing else; at most 50 blocks; header `plain_text` of 1..150 characters; section text
 * 1..3,000 and at most 10 fields of 1..2,000; context with 1..10 text elements; `block_id` at most 255 and
 * unique; text objects typed `mrkdwn` or `plain_text` (`emoji` only on plain_text); all block text together within
 * our budget (Slack's undocumented `msg_blocks_too_long` limit); well-formed UTF-16 (no lone
 * surrogate, which would not encode as UTF-8); plain JSON values only. Returns every problem, empty when valid.
 * The notify Lambda can run it as a last guard before posting.
 */
export function validateSlackMessage(payload: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(payload)) return ['payload is not an object'];
  const extra = Object.keys(payload).filter((key) => key !== 'text' && key !== 'blocks');
  if (extra.length > 0) problems.push(`unexpected top-level keys: ${extra.join(', ')}`);
  checkText(payload.text, 'text', SLACK_LIMITS.fallbackText, problems);
  const { blocks } = payload;
  if (!Array.isArray(blocks) || blocks.length === 0) return [...problems, 'blocks must be a non-empty array'];
  if (blocks.length > SLACK_LIMITS.blocks)
    problems.push(`${blocks.length} blocks (at most ${SLACK_LIMITS.blocks})`);
  const ids = new Set<string>();
  blocks.forEach((block, i) => {
    checkBlock(block, `blocks[${i}]`, ids, problems);
  });
  const total = problems.length === 0 ? blocksTextLength(blocks as SlackBlock[]) : 0;
  if (total > SLACK_LIMITS.blocksTextBudget) {
    problems.push(
      `blocks hold ${total} text characters (at most ${SLACK_LIMITS.blocksTextBudget}; Slack refuses about 12,000)`,
    );
  }
  problems.push(...checkJson(payload, 'payload'));
  return problems;
}

function checkBlock(block: unknown, at: string, ids: Set<string>, problems: string[]): void {
  if (!isRecord(block)) {
    problems.push(`${at} is not an object`);
    return;
  }
  const allowed: Record<string, string[]> = {
    header: ['type', 'text', 'block_id'],
    section: ['type', 'text', 'fields', 'block_id'],
    context: ['type', 'elements', 'block_id'],
    divider: ['type', 'block_id'],
  };
  const keys = allowed[String(block.type)];
  if (!keys) {
    problems.push(`${at}.type '${String(block.type)}' is not a block this validator knows`);
    return;
  }
  const extra = Object.keys(block).filter((key) => !keys.includes(key));
  if (extra.length > 0) problems.push(`${at} has unexpected keys: ${extra.join(', ')}`);
  if (block.block_id !== undefined) {
    if (
      typeof block.block_id !== 'string' ||
      block.block_id.length === 0 ||
      block.block_id.length > SLACK_LIMITS.blockId
    ) {
      problems.push(`${at}.block_id must be 1..${SLACK_LIMITS.blockId} characters`);
    } else if (ids.has(block.block_id)) problems.push(`${at}.block_id '${block.block_id}' is not unique`);
    else ids.add(block.block_id);
  }
  if (block.type === 'header')
    checkTextObject(block.text, `${at}.text`, SLACK_LIMITS.headerText, problems, ['plain_text']);
  if (block.type === 'section') checkSection(block, at, problems);
  if (block.type === 'context') {
    const { elements } = block;
    if (!Array.isArray(elements) || elements.length === 0 || elements.length > SLACK_LIMITS.contextElements) {
      problems.push(`${at}.elements must hold 1..${SLACK_LIMITS.contextElements} elements`);
    } else {
      elements.forEach((element, i) => {
        checkTextObject(element, `${at}.elements[${i}]`, SLACK_LIMITS.contextText, problems);
      });
    }
  }
}

function checkSection(block: Record<string, unknown>, at: string, problems: string[]): void {
  if (block.text === undefined && block.fields === undefined) problems.push(`${at} needs text or fields`);
  if (block.text !== undefined) checkTextObject(block.text, `${at}.text`, SLACK_LIMITS.sectionText, problems);
  if (block.fields !== undefined) {
    const { fields } = block;
    if (!Array.isArray(fields) || fields.length === 0 || fields.length > SLACK_LIMITS.fields) {
      problems.push(`${at}.fields must hold 1..${SLACK_LIMITS.fields} text objects`);
      return;
    }
    fields.forEach((field, i) => {
      checkTextObject(field, `${at}.fields[${i}]`, SLACK_LIMITS.fieldText, problems);
    });
  }
}

function checkTextObject(
  value: unknown,
  at: string,
  max: number,
  problems: string[],
  types: readonly string[] = ['plain_text', 'mrkdwn'],
): void {
  if (!isRecord(value)) {
    problems.push(`${at} is not a text object`);
    return;
  }
  if (!types.includes(String(value.type))) problems.push(`${at}.type must be ${types.join(' or ')}`);
  const extra = Object.keys(value).filter(
    (key) => !['type', 'text', value.type === 'plain_text' ? 'emoji' : 'verbatim'].includes(key),
  );
  if (extra.length > 0) problems.push(`${at} has unexpected keys: ${extra.join(', ')}`);
  checkText(value.text, `${at}.text`, max, problems);
}

function checkText(value: unknown, at: string, max: number, problems: string[]): void {
  if (typeof value !== 'string' || value.trim().length === 0)
    problems.push(`${at} must be a non-empty string`);
  else if (value.length > max) problems.push(`${at} is ${value.length} characters (at most ${max})`);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Only what JSON carries unchanged: no undefined, NaN, functions, class instances, or lone surrogates. */
function checkJson(value: unknown, at: string): string[] {
  if (value === null || typeof value === 'boolean') return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${at} is not a finite number`];
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? [`${at} holds a lone surrogate`] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => checkJson(item, `${at}[${i}]`));
  if (isRecord(value) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([key, item]) => checkJson(item, `${at}.${key}`));
  }
  return [`${at} is not a JSON value`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
