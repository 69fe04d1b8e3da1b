import type { ActionStatus } from '../analysis/model';

/**
 * The machine-readable last line of the add-swap and restart-service scripts, e.g.
 * `result=refused reason=swap-active path=/swapfile sizeMiB=2048 verification=none`, and the human line the
 * script printed just before it (`add-swap: refused: swap is already active (/dev/xvdb); not adding more`).
 * Values are single tokens; `none` and `-` mean "nothing".
 */
export type ScriptResultStatus = Exclude<ActionStatus, 'skipped'>;

export interface ScriptResult {
  status: ScriptResultStatus;
  /** A reason code (`swap-active`, `protected-unit`, ...), or null. */
  reason: string | null;
  /** How it was checked (`swapon-show-lists-path`, `active-after-3s`, ...), or null. */
  verification: string | null;
  /** The human line, without the script's name prefix, or null. */
  message: string | null;
  /** Every key of the result line, as printed. */
  fields: Readonly<Record<string, string>>;
}

const STATUSES: readonly string[] = ['done', 'already-ok', 'dry-run', 'refused', 'failed'];

/** The last result line in `stdout`, or null when there is none (the script did not get that far). */
export function parseScriptResult(stdout: string): ScriptResult | null {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').trimEnd();
    if (!line.startsWith('result=')) continue;
    const fields: Record<string, string> = {};
    for (const token of line.split(' ')) {
      const eq = token.indexOf('=');
      if (eq > 0) fields[token.slice(0, eq)] = token.slice(eq + 1);
    }
    const status = fields.result ?? '';
    if (!STATUSES.includes(status)) continue;
    return {
      status: status as ScriptResultStatus,
      reason: meaningful(fields.reason),
      verification: meaningful(fields.verification),
      message: messageBefore(lines, i),
      fields,
    };
  }
  return null;
}

function meaningful(value: string | undefined): string | null {
  return value === undefined || value === '' || value === 'none' || value === '-' ? null : value;
}

/** The nearest `<script>: ...` line above the result line. */
function messageBefore(lines: readonly string[], index: number): string | null {
  for (let i = index - 1; i >= 0; i--) {
    const match = /^(?:add-swap|restart-service|collect-diagnostics): (.+)$/.exec((lines[i] ?? '').trimEnd());
    if (match?.[1]) return match[1];
  }
  return null;
}
