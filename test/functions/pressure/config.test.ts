import { describe, expect, it } from 'vitest';
import { readPressureFunctionConfig } from '../../../functions/pressure/config';

const required = {
  INCIDENT_TABLE_NAME: 'OomResponder-Incidents',
  PRESSURE_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponderPressure',
};

describe('readPressureFunctionConfig', () => {
  it('uses a 60-minute cooldown and 30 days of retention when the environment leaves them out', () => {
    expect(readPressureFunctionConfig(required)).toEqual({
      tableName: required.INCIDENT_TABLE_NAME,
      pressure: {
        stateMachineArn: required.PRESSURE_STATE_MACHINE_ARN,
        cooldownMs: 60 * 60_000,
        retentionMs: 30 * 86_400_000,
      },
    });
  });

  it('reads the cooldown in minutes and the retention in days', () => {
    const config = readPressureFunctionConfig({
      ...required,
      PRESSURE_COOLDOWN_MINUTES: '15',
      RETENTION_DAYS: '7',
    });
    expect(config.pressure).toMatchObject({ cooldownMs: 15 * 60_000, retentionMs: 7 * 86_400_000 });
  });

  it('fails loudly, naming every problem, on a missing table or a bad value', () => {
    expect(() =>
      readPressureFunctionConfig({
        PRESSURE_STATE_MACHINE_ARN: 'not-an-arn',
        PRESSURE_COOLDOWN_MINUTES: '0',
      }),
    ).toThrow(/INCIDENT_TABLE_NAME.*PRESSURE_STATE_MACHINE_ARN.*PRESSURE_COOLDOWN_MINUTES/);
  });
});
