import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { stagesOf } from '../../../cli/drill/aws-drill-ports';

const at = (s: number) => new Date(Date.UTC(2026, 11, 4, 20, 15, s));
const entered = (id: number, name: string, s: number): HistoryEvent => ({
  id,
  type: 'TaskStateEntered',
  timestamp: at(s),
  stateEnteredEventDetails: { name },
});
const exited = (id: number, name: string, s: number): HistoryEvent => ({
  id,
  type: 'TaskStateExited',
  timestamp: at(s),
  stateExitedEventDetails: { name },
});
const plain = (id: number, type: HistoryEvent['type'], s: number): HistoryEvent => ({
  id,
  type,
  timestamp: at(s),
});

describe('stagesOf: the states of an execution history', () => {
  it('pairs each state entered with its exit, in order', () => {
    const stages = stagesOf([
      entered(1, 'Diagnose', 1),
      exited(2, 'Diagnose', 4),
      entered(3, 'Notify', 4),
      exited(4, 'Notify', 5),
    ]);
    expect(stages.map((s) => [s.name, s.exitedAtMs && s.exitedAtMs - s.enteredAtMs, s.failed])).toEqual([
      ['Diagnose', 3000, false],
      ['Notify', 1000, false],
    ]);
  });

  it('a task retried to success did not fail its state; one that failed the execution did', () => {
    const retried = stagesOf([
      entered(1, 'Diagnose', 1),
      plain(2, 'TaskFailed', 2),
      plain(3, 'TaskSucceeded', 3),
      exited(4, 'Diagnose', 3),
    ]);
    expect(retried[0]?.failed).toBe(false);
    const failed = stagesOf([
      entered(1, 'Analyze', 1),
      plain(2, 'LambdaFunctionFailed', 2),
      plain(3, 'ExecutionFailed', 2),
    ]);
    expect(failed[0]).toMatchObject({ name: 'Analyze', failed: true, exitedAtMs: at(2).getTime() });
  });

  it('a state still running has no exit', () => {
    expect(stagesOf([entered(1, 'Diagnose', 1)])[0]?.exitedAtMs).toBeNull();
  });
});
