import { describe, expect, it } from 'vitest';
import { readAnalyzeFunctionConfig } from '../../../functions/analyze/config';
import { DEFAULT_POLICY } from '../../../functions/core/policy/policy';

const required = { INCIDENT_TABLE_NAME: 'OomResponder-Incidents' };

function problemOf(env: Record<string, string | undefined>): string {
  try {
    readAnalyzeFunctionConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('readAnalyzeFunctionConfig', () => {
  it('uses the default policy (change nothing) and no documents when the environment leaves them out', () => {
    expect(readAnalyzeFunctionConfig(required)).toEqual({
      tableName: 'OomResponder-Incidents',
      analyze: { policy: DEFAULT_POLICY, outputBucket: null, documents: {} },
    });
  });

  it('reads the memory timeline’s threshold, whose presence turns the timeline on, and refuses one out of range', () => {
    expect(
      readAnalyzeFunctionConfig({ ...required, EARLY_WARNING_MEM_AVAILABLE_PERCENT: '12.5' }).analyze
        .memoryTimeline,
    ).toEqual({ thresholdPercent: 12.5 });
    expect(readAnalyzeFunctionConfig(required).analyze.memoryTimeline).toBeUndefined();
    expect(problemOf({ ...required, EARLY_WARNING_MEM_AVAILABLE_PERCENT: '150' })).toContain(
      'EARLY_WARNING_MEM_AVAILABLE_PERCENT',
    );
  });

  it('reads the policy the construct passes, with its defaults filled in, and the deployed documents', () => {
    const config = readAnalyzeFunctionConfig({
      ...required,
      REMEDIATION_POLICY: JSON.stringify({
        addSwap: { enabled: true, sizeMiB: 4096 },
        restartService: { enabled: true, dryRun: true, allowedUnits: ['orders.service', 'api-*.service'] },
      }),
      DIAGNOSTICS_BUCKET: 'oomresponder-diagnostics-123456789012',
      ADD_SWAP_DOCUMENT: 'OomResponder-AddSwap-1A2B3C4D5E6F',
      RESTART_SERVICE_DOCUMENT: 'OomResponder-RestartService-1A2B3C4D5E6F',
    });
    expect(config.analyze).toEqual({
      policy: {
        addSwap: { ...DEFAULT_POLICY.addSwap, enabled: true, sizeMiB: 4096 },
        restartService: {
          ...DEFAULT_POLICY.restartService,
          enabled: true,
          dryRun: true,
          allowedUnits: ['orders.service', 'api-*.service'],
        },
      },
      outputBucket: 'oomresponder-diagnostics-123456789012',
      documents: {
        addSwap: 'OomResponder-AddSwap-1A2B3C4D5E6F',
        restartService: 'OomResponder-RestartService-1A2B3C4D5E6F',
      },
    });
  });

  it('fails at cold start, naming every problem of the environment', () => {
    const message = problemOf({ DIAGNOSTICS_BUCKET: 'x', ADD_SWAP_DOCUMENT: '' });
    expect(message).toMatch(/^analyze function misconfigured: /);
    expect(message).toContain('INCIDENT_TABLE_NAME:');
    expect(message).toContain('DIAGNOSTICS_BUCKET:');
    expect(message).toContain('ADD_SWAP_DOCUMENT:');
  });

  it('names every problem of the policy, with the environment’s', () => {
    const message = problemOf({
      REMEDIATION_POLICY: JSON.stringify({
        addSwap: { enabled: 'yes', sizeMiB: 1 },
        restartService: { allowedUnits: ['foo@.service'] },
      }),
    });
    expect(message).toMatch(/^analyze function misconfigured: /);
    expect(message).toContain('INCIDENT_TABLE_NAME:');
    expect(message).toContain('REMEDIATION_POLICY: addSwap.enabled:');
    expect(message).toContain('REMEDIATION_POLICY: addSwap.sizeMiB:');
    expect(message).toContain('REMEDIATION_POLICY: restartService.allowedUnits.0:');
  });

  it('refuses a policy that is not JSON, saying which variable', () => {
    const message = problemOf({ ...required, REMEDIATION_POLICY: '{addSwap: on}' });
    expect(message).toBe('analyze function misconfigured: REMEDIATION_POLICY: not JSON');
  });
});
