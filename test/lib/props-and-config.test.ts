import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { InvalidAppConfigError, readAppConfig, responderProps } from '../../lib/app-config';
import { InvalidOomResponderPropsError, resolveProps } from '../../lib/oom-responder-props';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the construct props', () => {
  it('default to a pipeline that diagnoses and notifies and changes no host', () => {
    const resolved = resolveProps();
    expect(resolved.remediationPolicy.addSwap.enabled).toBe(false);
    expect(resolved.remediationPolicy.restartService.enabled).toBe(false);
    expect(resolved.instanceTag).toEqual({ key: 'OomResponder', value: 'enabled' });
    expect(resolved.cooldown.toMinutes()).toBe(15);
  });

  it('fail at once, naming every problem and how to fix it', () => {
    let error: unknown;
    try {
      resolveProps({
        instanceTag: { key: 'aws:reserved', value: '' },
        slackWebhookSecret: 'https://hooks.slack.com/services/T000/B000/XXXX',
        cooldown: Duration.seconds(10),
        stormThreshold: 0,
        remediationPolicy: { addSwap: { enabled: true, sizeMiB: 10 } },
        createKernelLogGroup: false,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOomResponderPropsError);
    const problems = (error as InvalidOomResponderPropsError).problems;
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).toMatch(/instanceTag\.key/);
    expect(problems.join('\n')).toMatch(/instanceTag\.value/);
    expect(problems.join('\n')).toMatch(
      /slackWebhookSecret must be a Secrets Manager secret name or ARN.*create-secret/,
    );
    expect(problems.join('\n')).toMatch(/cooldown is 0\.1\S* minutes; use 1 to 1440 minutes/);
    expect(problems.join('\n')).toMatch(/stormThreshold is 0 incidents/);
    expect(problems.join('\n')).toMatch(/remediationPolicy\.addSwap\.sizeMiB/);
    expect(problems.join('\n')).toMatch(/nothing would reach the detector/);
    // The webhook URL itself is never echoed back.
    expect((error as Error).message).not.toContain('T000/B000/XXXX');
  });
});

describe('the app configuration', () => {
  it('takes a config file and lets -c flags win, ignoring CDK feature flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oom-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ cooldownMinutes: 30, stormThreshold: 3, slackWebhookSecret: 'from-file' }),
    );
    const config = readAppConfig({
      configFile: file,
      cooldownMinutes: '45',
      kernelLogGroups: '/a, /b',
      accountSubscriptionPolicy: 'true',
      '@aws-cdk/core:target-partitions': ['aws'],
    });
    expect(config).toEqual({
      cooldownMinutes: 45,
      stormThreshold: 3,
      slackWebhookSecret: 'from-file',
      kernelLogGroups: ['/a', '/b'],
      accountSubscriptionPolicy: true,
    });
    expect(responderProps(config).cooldown?.toMinutes()).toBe(45);
  });

  it('reads the remediation policy inline or from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oom-policy-'));
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ addSwap: { enabled: true, dryRun: true } }));
    expect(responderProps({ remediationPolicy: file }).remediationPolicy).toEqual({
      addSwap: { enabled: true, dryRun: true },
    });
    expect(
      responderProps({ remediationPolicy: '{"restartService":{"enabled":true}}' }).remediationPolicy,
    ).toEqual({
      restartService: { enabled: true },
    });
  });

  it('lists every problem of the configuration at once', () => {
    expect(() => readAppConfig({ cooldownMinutes: 'soon', stackName: '1bad', colldown: 3 })).toThrowError(
      InvalidAppConfigError,
    );
    try {
      readAppConfig({ cooldownMinutes: 'soon', stackName: '1bad', configFile: '/no/such/file.json' });
    } catch (error) {
      expect((error as InvalidAppConfigError).problems.join('\n')).toMatch(
        /configFile: \/no\/such\/file\.json does not exist/,
      );
    }
  });

  it('makes `cdk synth` fail with one message listing every problem, not a stack trace', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({
          cooldownMinutes: 0,
          stormThreshold: 0,
          slackWebhookSecret: 'https://hooks.slack.com/x',
        }),
        CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'oom-cdk-out-')),
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^OOM Responder: the configuration has 3 problems:\n/);
    for (const problem of [
      'slackWebhookSecret must be a Secrets Manager secret',
      'cooldown is 0 minutes',
      'stormThreshold is 0 incidents',
    ]) {
      expect(result.stderr).toContain(problem);
    }
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
