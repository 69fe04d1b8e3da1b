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

  it('reserve no concurrency by default: a new account may have only 10 in all, and Lambda keeps 100 unreserved', () => {
    const resolved = resolveProps();
    expect(resolved.reservedConcurrency).toEqual({
      detect: undefined,
      analyze: undefined,
      notify: undefined,
      pressure: undefined,
    });
    expect(resolveProps({ detectReservedConcurrency: 20 }).reservedConcurrency.detect).toBe(20);
    expect(resolveProps({ pressureReservedConcurrency: 4 }).reservedConcurrency.pressure).toBe(4);
    expect(() => resolveProps({ detectReservedConcurrency: 2.5 })).toThrowError(
      /detectReservedConcurrency is 2\.5; use a whole number from 1/,
    );
    expect(() => resolveProps({ pressureReservedConcurrency: 0 })).toThrowError(
      /pressureReservedConcurrency is 0, which stops the function/,
    );
  });

  it('name the kernel log group after the stack, so a second stack never collides with the first', () => {
    expect(resolveProps({}, { stackName: 'OomResponder' }).kernelLogGroupName).toBe(
      '/oom-responder/OomResponder/kernel',
    );
    expect(resolveProps({}, { stackName: 'Staging' }).kernelLogGroupName).toBe(
      '/oom-responder/Staging/kernel',
    );
  });

  it.each(['aws-oom', 'AWSOom', 'amazonResponder', 'AmznOom'])(
    'refuse the stack name %s: SSM reserves document names starting with aws, amazon or amzn',
    (stackName) => {
      expect(() => resolveProps({}, { stackName })).toThrowError(/SSM document names.*-c stackName=/);
    },
  );

  it('refuse a stack name too long for the document names it lends its name to (128 characters)', () => {
    expect(() => resolveProps({}, { stackName: `S${'x'.repeat(109)}` })).toThrowError(
      /SSM document name .*-CollectDiagnostics is 129 characters; SSM allows 128: use a stack name of at most 109/,
    );
    expect(() => resolveProps({}, { stackName: `S${'x'.repeat(108)}` })).not.toThrow();
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
        notifyReservedConcurrency: 0,
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
    expect(problems.join('\n')).toMatch(/notifyReservedConcurrency is 0.*omit it/);
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
    // Each function's reservation is its own context key (`cdk deploy -c pressureReservedConcurrency=5`).
    expect(
      responderProps(readAppConfig({ pressureReservedConcurrency: '5' })).pressureReservedConcurrency,
    ).toBe(5);
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

/** Run the CDK app as `cdk synth` does (the context in CDK_CONTEXT_JSON), without bundling. */
function runApp(context: Record<string, unknown>) {
  return spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bin/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
      CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'oom-cdk-out-')),
    },
  });
}

describe('the app, run as `cdk synth` runs it', () => {
  it('names an unknown key, the closest valid one, and every valid key', () => {
    const result = runApp({ colldownMinutes: '30' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'colldownMinutes: not a setting of this app (did you mean cooldownMinutes?)',
    );
    expect(result.stderr).toMatch(/valid keys: .*stackName.*cooldownMinutes.*applyAgentConfiguration/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('leaves the CDK’s own context keys alone: feature flags, aws:cdk:* and lookups', () => {
    const result = runApp({
      '@aws-cdk/core:target-partitions': ['aws'],
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:version-reporting': true,
      '@aws-cdk/core:failSynthOnValidationErrors': true,
      'availability-zones:account=123456789012:region=us-east-1': ['us-east-1a'],
      'acknowledged-issue-numbers': [32775],
    });
    // Only the configuration is judged here (cdk-nag and the template have tests of their own).
    expect(result.stderr).not.toMatch(/OOM Responder: the configuration has|not a setting of this app/);
  }, 60_000);

  it('says what a valid value looks like when a number or a switch is not one', () => {
    const result = runApp({ cooldownMinutes: 'abc', applyAgentConfiguration: 'yes' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "cooldownMinutes: 'abc' is not a number of minutes; e.g. -c cooldownMinutes=30",
    );
    expect(result.stderr).toContain(
      "applyAgentConfiguration: 'yes' is not true or false; e.g. -c applyAgentConfiguration=true",
    );
  }, 60_000);

  it('reports a missing policy file in one line, not a stack trace, beside the other problems', () => {
    const result = runApp({ remediationPolicy: 'no-such-policy.json', stormThreshold: 'many' });
    expect(result.stderr).toContain("stormThreshold: 'many' is not a number of incidents");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'remediationPolicy: no-such-policy.json does not exist (give the path of a JSON file, or the policy as inline JSON)',
    );
    expect(result.stderr).not.toMatch(/\n\s+at |ENOENT/);
  }, 60_000);

  it('fails the synth on an allow-list of every unit, with the schema’s own message', () => {
    const result = runApp({ remediationPolicy: '{"restartService":{"enabled":true,"allowedUnits":["*"]}}' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `remediationPolicy.restartService.allowedUnits.0: "*" would allow every service on the host, systemd's own included; write a unit name such as myapp-web.service, or a family with one * such as myapp-*.service`,
    );
  }, 60_000);

  it('refuses a stack name SSM reserves for its own documents, saying how to fix it', () => {
    const result = runApp({ stackName: 'AmazonOomResponder' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /stack name 'AmazonOomResponder' starts with 'amazon'.*SSM document names.*-c stackName=/,
    );
  }, 60_000);

  it('fails with a clear message when the remediation policy would not fit in Lambda’s 4 KB environment', () => {
    const allowedUnits = Array.from({ length: 200 }, (_, i) => `payments-worker-${i}.service`);
    const result = runApp({
      remediationPolicy: JSON.stringify({ restartService: { enabled: true, allowedUnits } }),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Analyze's environment could reach \d+ bytes, over Lambda's limit of 4096/);
    expect(result.stderr).toContain('allowedUnits');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
