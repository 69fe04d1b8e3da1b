import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one cfn-lint configuration of the repository: rules, Region, and every ignored rule with its reason. */
export const CFN_LINT_CONFIG = fileURLToPath(new URL('../../.cfnlintrc.yaml', import.meta.url));

export interface CfnLintFinding {
  rule: string;
  level: 'Error' | 'Warning' | 'Informational';
  file: string;
  /** Where in the template, e.g. `Resources/Queue/Properties/NotAProperty`. */
  path: string;
  message: string;
}

/** One finding per line, enough to find and fix it without rerunning cfn-lint by hand. */
export function describeFinding(finding: CfnLintFinding): string {
  return `${finding.level} ${finding.rule} ${finding.file} ${finding.path}: ${finding.message}`;
}

interface JsonMatch {
  Rule: { Id: string };
  Level: CfnLintFinding['level'];
  Filename: string;
  Message: string;
  Location?: { Path?: (string | number)[] | null };
}

/**
 * Run cfn-lint once over several templates (it takes about a second to start and load its schemas, so one
 * process for all of them) with an explicit configuration file, so a `~/.cfnlintrc` cannot add or ignore rules.
 * Its exit status is a bit mask of the levels found (2 error, 4 warning, 8 informational); anything else, or
 * output that is not JSON, is a failure of cfn-lint itself and throws with its stderr.
 */
export function runCfnLint(
  executable: string,
  templates: string[],
  configFile = CFN_LINT_CONFIG,
): { findings: CfnLintFinding[]; seconds: number } {
  const started = process.hrtime.bigint();
  const run = spawnSync(executable, ['--config-file', configFile, '--format', 'json', '--', ...templates], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const status = run.status ?? -1;
  if (status < 0 || (status & ~(2 | 4 | 8)) !== 0) {
    throw new Error(`cfn-lint failed (exit ${status}): ${run.stderr || run.stdout}`);
  }
  const matches = JSON.parse(run.stdout) as JsonMatch[];
  const findings = matches.map((match) => ({
    rule: match.Rule.Id,
    level: match.Level,
    file: match.Filename,
    path: (match.Location?.Path ?? []).join('/'),
    message: match.Message,
  }));
  return { findings, seconds };
}

/** Every rule id cfn-lint knows with the configuration's appended rules (`--list-rules` prints `ID: title`). */
export function listRuleIds(executable: string, configFile = CFN_LINT_CONFIG): Set<string> {
  const run = spawnSync(executable, ['--config-file', configFile, '--list-rules'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`cfn-lint --list-rules failed: ${run.stderr}`);
  return new Set([...run.stdout.matchAll(/^([EWI][A-Z]*\d{4}): /gm)].map((m) => m[1] as string));
}

/**
 * A YAML file read by the PyYAML that cfn-lint itself depends on (in the same virtual environment), so the test
 * sees the configuration exactly as cfn-lint parses it, without a YAML parser in the project's dependencies.
 */
export function readYamlWithCfnLintPython(executable: string, file: string): unknown {
  const python = join(dirname(executable), 'python');
  const run = spawnSync(
    python,
    ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', file],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`cannot read ${file}: ${run.stderr}`);
  return JSON.parse(run.stdout) as unknown;
}
