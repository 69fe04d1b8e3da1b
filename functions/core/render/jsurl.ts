/**
 * JSURL (Sage/jsurl v1 `stringify`), the notation the CloudWatch console keeps its Logs Insights state in:
 * objects `~(key~value~key~value)`, arrays `~(~a~b)`, strings `~'text`, numbers and booleans `~1`, `~true`.
 * Inside strings and keys every character outside `[A-Za-z0-9_.-]` becomes `*xx` (two lowercase hex digits) or
 * `**xxxx` above U+00FF, and `$` becomes `!`, so the result holds only URL-safe characters.
 */
export type JsurlValue =
  | string
  | number
  | boolean
  | null
  | readonly JsurlValue[]
  | { [key: string]: JsurlValue };

export function jsurlStringify(value: JsurlValue): string {
  if (value === null) return '~null';
  if (typeof value === 'number') return Number.isFinite(value) ? `~${value}` : '~null';
  if (typeof value === 'boolean') return `~${value}`;
  if (typeof value === 'string') return `~'${jsurlEncode(value)}`;
  if (Array.isArray(value)) return `~(${value.map(jsurlStringify).join('') || '~'})`;
  const entries = Object.entries(value as { [key: string]: JsurlValue });
  return `~(${entries.map(([key, item]) => `${jsurlEncode(key)}${jsurlStringify(item)}`).join('~')})`;
}

export function jsurlEncode(text: string): string {
  return text.replace(/[^\w.-]/g, (ch) => {
    if (ch === '$') return '!';
    const code = ch.charCodeAt(0);
    return code < 0x100
      ? `*${code.toString(16).padStart(2, '0')}`
      : `**${code.toString(16).padStart(4, '0')}`;
  });
}
