import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The virtual environment `scripts/install-aws-tools.sh` creates (and `.ci/run` runs). */
const VENV_BIN = fileURLToPath(new URL('../../.aws-tools/bin/', import.meta.url));

export type AwsToolName = 'cfn-lint' | 'moto_server';

export interface AwsTool {
  /** The executable, or null when it is not installed. */
  path: string | null;
  /** Why the suites that need it skip; empty when it is installed. */
  skipReason: string;
}

/**
 * Where one of AWS's own validators or emulators is installed. Without it, the suites that need it skip and say
 * why, so `npm test` passes on a machine with only Node.js; under CI (`CI=true`) a missing tool is an error
 * instead, because a CI run that silently skipped them would prove nothing.
 */
export function awsTool(name: AwsToolName): AwsTool {
  const path = `${VENV_BIN}${name}`;
  if (existsSync(path)) return { path, skipReason: '' };
  const skipReason = `${name} is not installed: run scripts/install-aws-tools.sh (needs Python 3.10+ and PyPI)`;
  if (process.env.CI === 'true') throw new Error(`CI: ${skipReason}`);
  return { path: null, skipReason };
}

/** A suffix for the name of a suite that needs `tool`: why it skips, shown with the skipped suite; or nothing. */
export function skipped(tool: AwsTool): string {
  return tool.path ? '' : ` (skipped: ${tool.skipReason})`;
}
