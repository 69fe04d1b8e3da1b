import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSM_PARAMETERS, type SsmDocumentKind } from '../../../functions/core/ssm/parameter-specs';
import {
  validateAddSwapParameters,
  validateCollectDiagnosticsParameters,
  validateRestartServiceParameters,
} from '../../../functions/core/ssm/parameters';
import {
  addSwapDocument,
  collectDiagnosticsDocument,
  restartServiceDocument,
} from '../../../lib/ssm/documents';
import { makeTemp, removeTemp, resultLine, runScript, stubBin } from './support/run-script';

/**
 * Injection attempts in every parameter of every document are refused three times over: by the Lambda-side
 * validator, by the document's allowedPattern, and by the script itself, which exits 2 before running anything.
 * Each payload would create a marker file if a shell ever evaluated it; the marker never appears.
 */
let dir: string;
let marker: string;

const VALID: Record<SsmDocumentKind, Record<string, string>> = {
  'collect-diagnostics': {
    killTime: '2026-11-25T17:30:50Z',
    unit: 'myapp.service',
    pid: '4242',
    memcgPath: '/system.slice/myapp.service',
  },
  'add-swap': { sizeMiB: '64', path: '/swapfile.oom-responder', maxDiskSharePercent: '25', dryRun: 'true' },
  'restart-service': { unit: 'myapp.service', dryRun: 'true' },
};

const VALIDATORS = {
  'collect-diagnostics': validateCollectDiagnosticsParameters,
  'add-swap': validateAddSwapParameters,
  'restart-service': validateRestartServiceParameters,
} as const;

const DOCUMENTS = {
  'collect-diagnostics': collectDiagnosticsDocument(),
  'add-swap': addSwapDocument(),
  'restart-service': restartServiceDocument(),
} as const;

/** Payloads that would run `touch <marker>` (or otherwise misbehave) if evaluated by a shell. */
function payloads(valid: string): string[] {
  const touch = `touch ${marker}`;
  const attempts = [
    `; ${touch}`,
    `;touch\${IFS}${marker}`,
    `$(${touch})`,
    `\`${touch}\``,
    `\n${touch}`,
    `\r\n${touch}`,
    `| ${touch}`,
    `&& ${touch}`,
    `' ; ${touch} ; '`,
    `" ; ${touch} ; "`,
    `> ${marker}`,
    '/../../../etc/passwd',
    '/../x',
    'a b',
    'ünïcødé',
    '\u202e',
    '{{ unit }}',
    '$HOME',
  ];
  return [...attempts, ...attempts.map((a) => valid + a), ...attempts.map((a) => a + valid)];
}

beforeAll(() => {
  dir = makeTemp('injection');
  marker = join(dir, 'INJECTED');
});
afterAll(() => removeTemp(dir));

describe.each(Object.keys(VALID) as SsmDocumentKind[])('injection attempts against %s', (kind) => {
  for (const name of Object.keys(SSM_PARAMETERS[kind])) {
    it(`are refused in ${name} by the validator, the allowedPattern and the script, and never run`, async () => {
      const valid = VALID[kind];
      const allowedPattern = new RegExp(DOCUMENTS[kind].parameters[name]?.allowedPattern ?? '(?!)');
      // Stubs make sure that even a script that wrongly went on would change nothing on this host.
      const bin = stubBin(['systemctl', 'swapon', 'mkswap']);
      try {
        for (const value of payloads(valid[name] ?? '')) {
          const label = `${name}=${JSON.stringify(value)}`;
          const validation = VALIDATORS[kind]({ ...valid, [name]: value });
          expect(validation.ok, label).toBe(false);
          if (!validation.ok)
            expect(
              validation.error.problems.map((p) => p.parameter),
              label,
            ).toContain(name);
          expect(allowedPattern.test(value), label).toBe(false);

          const env = Object.fromEntries(
            Object.entries({ ...valid, [name]: value }).map(([k, v]) => [`SSM_${k}`, v]),
          );
          const result = await runScript(kind, { ...env, STUB_SYSTEMCTL_DIR: dir }, { pathFirst: [bin] });
          expect(result.code, label).toBe(2);
          expect(resultLine(result.stdout), label).toMatchObject({
            result: 'refused',
            reason: 'invalid-parameter',
          });
          expect(result.stdout, label).toContain(`parameter ${name} does not match`);
          expect(existsSync(marker), label).toBe(false);
        }
      } finally {
        removeTemp(bin);
      }
      expect(readdirSync(dir)).toEqual([]);
    });
  }
});
