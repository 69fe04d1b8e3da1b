import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_CONFIG } from '../../../functions/core/detect/config';
import { DEFAULT_CONTEXT_READ_LIMITS } from '../../../functions/core/detect/context-budget';
import { readDetectFunctionConfig } from '../../../functions/detect/config';

const required = {
  INCIDENT_TABLE_NAME: 'OomResponder-Incidents',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponderWorkflow',
};

describe('readDetectFunctionConfig', () => {
  it('uses the defaults for what the environment leaves out', () => {
    expect(readDetectFunctionConfig(required)).toEqual({
      tableName: required.INCIDENT_TABLE_NAME,
      stateMachineArn: required.STATE_MACHINE_ARN,
      maxDecodedBytes: 10 * 1024 * 1024,
      contextReads: DEFAULT_CONTEXT_READ_LIMITS,
      detect: DEFAULT_DETECT_CONFIG,
    });
  });

  it('reads every tunable in its unit', () => {
    const config = readDetectFunctionConfig({
      ...required,
      COOLDOWN_MINUTES: '30',
      CONTEXT_BEFORE_SECONDS: '20',
      RETENTION_DAYS: '7',
      CONTEXT_MAX_CALLS: '2',
    });
    expect(config.contextReads.maxCalls).toBe(2);
    expect(config.detect).toMatchObject({
      cooldownMs: 1_800_000,
      contextBeforeMs: 20_000,
      retentionMs: 7 * 86_400_000,
    });
  });

  it('fails at cold start, naming every problem', () => {
    expect(() => readDetectFunctionConfig({ STATE_MACHINE_ARN: 'nope', COOLDOWN_MINUTES: '0' })).toThrow(
      /INCIDENT_TABLE_NAME.*STATE_MACHINE_ARN.*COOLDOWN_MINUTES/,
    );
  });
});
