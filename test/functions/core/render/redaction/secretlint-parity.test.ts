import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import { describe, expect, it } from 'vitest';
import { redact } from '../../../../../functions/core/render/redaction/redact';
import { CLEAN_LINES, SECRET_LINES } from './command-lines';

/**
 * secretlint's recommended preset as the maintained reference for token shapes: its rules run here directly (the
 * preset exports them; a rule is `create(context)` returning a `file(source)` handler that calls
 * `context.report`), on each command line before and after redaction. Production code does not run them (see
 * `known-secrets.ts` for why), so this is where a new rule in a newer preset shows up: as a rule no row
 * exercises, or as a finding redaction leaves behind.
 */
interface Finding {
  readonly rule: string;
  readonly text: string;
}

interface Handler {
  file?: (source: unknown) => unknown;
}

interface PresetRule {
  readonly meta: { readonly id: string };
  create(context: unknown, options: Record<string, never>): Handler;
}

function isPresetRule(value: unknown): value is PresetRule {
  if (typeof value !== 'object' || value === null) return false;
  const { meta, create } = value as { meta?: { id?: unknown }; create?: unknown };
  return typeof meta?.id === 'string' && typeof create === 'function';
}

const RULES: readonly PresetRule[] = (presetRules as unknown[]).filter(isPresetRule);

/**
 * Rules that cannot fire on a command line: the comment directive that switches rules off (a host must not be
 * able to switch redaction off by printing `secretlint-disable`), and GCP's, which reads `.json` and `.p12` files.
 */
const NOT_FOR_COMMAND_LINES = new Set([
  '@secretlint/secretlint-rule-filter-comments',
  '@secretlint/secretlint-rule-gcp',
]);

async function findings(text: string): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const rule of RULES) {
    if (NOT_FOR_COMMAND_LINES.has(rule.meta.id)) continue;
    const context = {
      createTranslator: () => (id: string, data: unknown) => ({ id, data }),
      report: ({ range }: { range: readonly [number, number] }) =>
        found.push({ rule: rule.meta.id, text: text.slice(range[0], range[1]) }),
    };
    const source = { content: text, filePath: 'cmdline', ext: '', contentType: 'text' };
    await rule.create(context, {}).file?.(source);
  }
  return found;
}

describe('secretlint recommended preset', () => {
  it('exposes its rules to call', () => {
    expect(RULES.length).toBe((presetRules as unknown[]).length);
    expect(RULES.length).toBeGreaterThan(20);
  });

  it('finds nothing in a line once it is redacted', async () => {
    const left: string[] = [];
    for (const row of SECRET_LINES) {
      for (const finding of await findings(redact(row.line))) left.push(`${row.provider}: ${finding.rule}`);
    }
    expect(left).toEqual([]);
  });

  it('has a row in the table for every rule that applies to command lines', async () => {
    const fired = new Set<string>();
    for (const row of SECRET_LINES) for (const finding of await findings(row.line)) fired.add(finding.rule);
    const applicable = RULES.map((rule) => rule.meta.id).filter((id) => !NOT_FOR_COMMAND_LINES.has(id));
    expect(applicable.filter((id) => !fired.has(id))).toEqual([]);
  });

  it('finds nothing in the lines the table calls clean', async () => {
    for (const [what, line] of CLEAN_LINES) expect(await findings(line), what).toEqual([]);
  });
});
