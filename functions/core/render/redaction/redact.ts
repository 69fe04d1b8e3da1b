import { KNOWN_SECRET_RULES } from './known-secrets';
import { MASK, NAME_AND_SEPARATOR, RULES, type Rule, SECRET_VALUE } from './patterns';
import { redactProgramArgs } from './program-args';
import { isSecretName } from './secret-names';
import { WEBHOOK_RULES } from './webhook-urls';

export { MASK } from './patterns';

/** Structural rules first (a private key block, a URL's user-info, a header), then the providers' token shapes. */
const ALL_RULES: readonly Rule[] = [...RULES, ...WEBHOOK_RULES, ...KNOWN_SECRET_RULES];

/**
 * Remove secrets from one string that came from a host (a command line, an environment-style token, a URL, an
 * error message quoting either). Linear in the length of the input; idempotent (`redact(redact(s)) ===
 * redact(s)`); everything that is not a secret is kept as it was, so paths and unit names stay readable.
 */
export function redact(text: string): string {
  if (text.length === 0) return text;
  let out = text;
  for (const rule of ALL_RULES) out = out.replace(rule.pattern, rule.replace as (match: string) => string);
  return redactNamedValues(redactProgramArgs(out));
}

/** The authorization header rule already kept its scheme word (`Bearer`, `GenieKey`) and hid what follows. */
const HEADER_NAME = /^(?:proxy-)?authorization$/i;

/** `--db-password=x`, `--password x`, `AWS_SECRET_ACCESS_KEY=x`, `"token": "x"`, `?api_key=x&...`. */
function redactNamedValues(text: string): string {
  const names = new RegExp(NAME_AND_SEPARATOR.source, NAME_AND_SEPARATOR.flags);
  const value = new RegExp(SECRET_VALUE.source, SECRET_VALUE.flags);
  let out = '';
  let copied = 0;
  for (let match = names.exec(text); match !== null; match = names.exec(text)) {
    const name = match[2] ?? '';
    const separator = match[3] ?? '';
    const spaceForm = separator.trim().length === 0;
    if ((spaceForm && !name.startsWith('-')) || HEADER_NAME.test(name) || !isSecretName(name)) continue;
    value.lastIndex = names.lastIndex;
    const found = value.exec(text);
    if (!found) continue;
    const quote = found[0].startsWith('"') || found[0].startsWith("'") ? (found[0][0] ?? '') : '';
    const closed = quote !== '' && found[0].length > 1 && found[0].endsWith(quote);
    out += `${text.slice(copied, names.lastIndex)}${quote}${MASK}${closed ? quote : ''}`;
    copied = names.lastIndex + found[0].length;
    names.lastIndex = copied;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Redact every string inside a JSON-like value: the whole response outcome goes through this before any
 * renderer sees it, so a field added to the model later is covered without anyone remembering to.
 */
export function redactDeep<T>(value: T): T {
  return mapStrings(value, redact);
}

/** A copy of JSON-like data with `change` applied to every string value (keys are kept). */
export function mapStrings<T>(value: T, change: (text: string) => string): T {
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return change(item);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(item)) out[key] = walk(inner);
      return out;
    }
    return item;
  };
  return walk(value) as T;
}
