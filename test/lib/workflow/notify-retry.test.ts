import { describe, expect, it } from 'vitest';
import { NOTIFY_INCOMPLETE_RETRIES } from '../../../functions/core/respond/notify-errors';
import { stateMachineDefinition, synthStack } from '../../support/synth';
import type { AslMachine } from './asl';

/**
 * The Notify task's retriers as synthesized: a `NotificationIncompleteError` (a channel that has not taken the
 * message yet) is retried with backoff, by a retrier placed before the catch-all, since Step Functions applies the
 * first retrier whose errors match and `States.TaskFailed` matches every error a task raises.
 */
describe('the Notify task', () => {
  it('retries NotificationIncompleteError with backoff and jitter, before its other retriers', () => {
    const { template } = synthStack({});
    const machine = stateMachineDefinition(template) as unknown as AslMachine;
    const retry = machine.States.Notify?.Retry ?? [];
    const incomplete = retry.findIndex((r) => r.ErrorEquals.includes('NotificationIncompleteError'));
    const catchAll = retry.findIndex((r) => r.ErrorEquals.includes('States.TaskFailed'));
    expect(incomplete).toBeGreaterThanOrEqual(0);
    expect(incomplete).toBeLessThan(catchAll);
    expect(retry[incomplete]).toEqual({
      ErrorEquals: ['NotificationIncompleteError'],
      IntervalSeconds: 30,
      BackoffRate: 2,
      MaxAttempts: NOTIFY_INCOMPLETE_RETRIES,
      MaxDelaySeconds: 300,
      JitterStrategy: 'FULL',
    });
    // The retries the notifier counts on are still there.
    expect(retry[catchAll]).toMatchObject({ IntervalSeconds: 10, MaxAttempts: 2 });
  }, 120_000);
});
