import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { InvalidAppConfigError, readAppConfig, responderProps } from '../../../lib/app-config';
import {
  InvalidOomResponderPropsError,
  type OomResponderProps,
  resolveProps,
} from '../../../lib/oom-responder-props';

function problemsOf(props: OomResponderProps): string[] {
  try {
    resolveProps(props);
  } catch (error) {
    if (error instanceof InvalidOomResponderPropsError) return error.problems;
    throw error;
  }
  return [];
}

describe('the early-warning thresholds', () => {
  it("default to the seed's advice: available memory at or below 10 %, swap use at or above 50 %", () => {
    expect(resolveProps().earlyWarning).toEqual({ memAvailablePercent: 10, swapUsedPercent: 50 });
  });

  it('take each threshold on its own, the other keeping its default', () => {
    expect(resolveProps({ earlyWarning: { memAvailablePercent: 15 } }).earlyWarning).toEqual({
      memAvailablePercent: 15,
      swapUsedPercent: 50,
    });
    expect(
      resolveProps({ earlyWarning: { memAvailablePercent: undefined, swapUsedPercent: 30 } }).earlyWarning,
    ).toEqual({ memAvailablePercent: 10, swapUsedPercent: 30 });
  });

  it('are off with earlyWarning: false', () => {
    expect(resolveProps({ earlyWarning: false }).earlyWarning).toBeUndefined();
  });

  it('refuse thresholds out of range, saying what the alarm does and how to turn it off', () => {
    const problems = problemsOf({ earlyWarning: { memAvailablePercent: 0, swapUsedPercent: 120 } });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^earlyWarning\.memAvailablePercent is 0 percent; use 1 to 50 percent \(the alarm fires when an instance's available memory is at or below it; the seed advises 10 to 15\), or earlyWarning: false/,
    );
    expect(problems[1]).toMatch(/^earlyWarning\.swapUsedPercent is 120 percent; use 1 to 100 percent/);
    expect(problemsOf({ earlyWarning: { memAvailablePercent: Number.NaN } })[0]).toMatch(/is NaN percent/);
  });

  it('name the threshold that replaced the old used-memory one, with the value to write', () => {
    const problems = problemsOf({
      earlyWarning: { memUsedPercent: 90 } as OomResponderProps['earlyWarning'],
    });
    expect(problems).toEqual([
      expect.stringMatching(/memUsedPercent was replaced by earlyWarning\.memAvailablePercent.*e\.g\. 10/),
    ]);
  });
});

describe('the early-warning context keys', () => {
  it('set the thresholds and turn the alarms off', () => {
    const config = readAppConfig({ memAvailablePercentAlarm: '15', swapUsedPercentAlarm: '40' });
    expect(responderProps(config).earlyWarning).toEqual({ memAvailablePercent: 15, swapUsedPercent: 40 });
    expect(responderProps(readAppConfig({ earlyWarning: 'false' })).earlyWarning).toBe(false);
    expect(responderProps(readAppConfig({})).earlyWarning).toBeUndefined();
  });

  it('say what replaced the old memUsedPercentAlarm key', () => {
    let problems: string[] = [];
    try {
      readAppConfig({ memUsedPercentAlarm: '90' });
    } catch (error) {
      if (!(error instanceof InvalidAppConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(
        /^memUsedPercentAlarm: replaced by memAvailablePercentAlarm: .*-c memAvailablePercentAlarm=10/,
      ),
    ]);
  });

  it('refuse a threshold that is not a number, with an example', () => {
    expect(() => readAppConfig({ memAvailablePercentAlarm: 'low' })).toThrowError(
      /memAvailablePercentAlarm: 'low' is not a number of percent; e\.g\. -c memAvailablePercentAlarm=10/,
    );
  });
});

describe('the pressure cooldown', () => {
  it('is 60 minutes by default, and set by pressureCooldown or -c pressureCooldownMinutes', () => {
    expect(resolveProps().pressureCooldown.toMinutes()).toBe(60);
    expect(resolveProps({ pressureCooldown: Duration.minutes(20) }).pressureCooldown.toMinutes()).toBe(20);
    const props = responderProps(readAppConfig({ pressureCooldownMinutes: '90' }));
    expect(props.pressureCooldown?.toMinutes()).toBe(90);
    expect(responderProps(readAppConfig({})).pressureCooldown).toBeUndefined();
  });

  it('is refused out of 1 to 1440 minutes, or in parts of a minute, naming the prop', () => {
    expect(problemsOf({ pressureCooldown: Duration.seconds(30) })).toEqual([
      'pressureCooldown is 0.5 minutes; use 1 to 1440 minutes',
      'pressureCooldown is 0.5 minutes; use whole minutes',
    ]);
    expect(problemsOf({ pressureCooldown: Duration.days(2) })).toEqual([
      'pressureCooldown is 2880 minutes; use 1 to 1440 minutes',
    ]);
    expect(problemsOf({ pressureCooldown: Duration.seconds(90) })).toEqual([
      'pressureCooldown is 1.5 minutes; use whole minutes',
    ]);
  });

  it('refuses a -c value that is not a number of minutes, with an example', () => {
    expect(() => readAppConfig({ pressureCooldownMinutes: 'hour' })).toThrowError(
      /pressureCooldownMinutes: 'hour' is not a number of minutes; e\.g\. -c pressureCooldownMinutes=60/,
    );
  });
});
