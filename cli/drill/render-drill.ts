import type { DrillResult } from './run-drill';

/** The verdicts as text: one line per check, and for each failure its likely cause and the fix. */
export function drillVerdictText(result: DrillResult): string {
  const lines = [`drill ${result.drillId} on stack ${result.stackName}: ${result.ok ? 'PASS' : 'FAIL'}`];
  for (const check of result.checks) {
    const mark = check.status === 'pass' ? 'PASS' : check.status === 'fail' ? 'FAIL' : 'SKIP';
    lines.push(`  ${mark} ${check.check.padEnd(12)} ${check.detail}`);
    if (check.cause) lines.push(`       cause: ${check.cause}`);
    if (check.fix) lines.push(`       fix:   ${check.fix}`);
  }
  lines.push(`total ${(result.totalMs / 1000).toFixed(1)}s`);
  return `${lines.join('\n')}\n`;
}

/** The same verdicts as one JSON document (`--json`). */
export function drillVerdictJson(result: DrillResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
