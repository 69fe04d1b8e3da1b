import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The scripts the SSM documents run, kept as real files beside this module so they can be linted and run. */
export type ScriptName = 'collect-diagnostics' | 'add-swap' | 'restart-service';

/** Absolute path of a script, resolved from this module (never from the working directory). */
export function scriptPath(name: ScriptName): string {
  return fileURLToPath(new URL(`./scripts/${name}.sh`, import.meta.url));
}

/**
 * A script as `runCommand` lines. The agent writes them joined by newlines to an executable file and runs it
 * with `sh -c <file>`, so the script's `#!/bin/bash` first line is honoured.
 */
export function scriptLines(name: ScriptName): string[] {
  const text = readFileSync(scriptPath(name), 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
