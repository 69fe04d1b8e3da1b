import { describe, expect, it } from 'vitest';
import {
  addSwapDocument,
  collectDiagnosticsDocument,
  restartServiceDocument,
} from '../../../lib/ssm/documents';
import { executionTimeoutOf, maxPollsFor, pollWindowSeconds } from '../../../lib/workflow/poll-budget';

describe('the poll budget of a command', () => {
  it('covers delivery, the document timeout and the reporting grace', () => {
    const input = { deliveryTimeoutSeconds: 120, executionTimeoutSeconds: 1200, pollIntervalSeconds: 10 };
    expect(pollWindowSeconds(input)).toBe(120 + 1200 + 60);
    expect(maxPollsFor(input)).toBe(138);
  });

  it('rounds up, so the last poll is never before the window ends', () => {
    expect(
      maxPollsFor({
        deliveryTimeoutSeconds: 30,
        executionTimeoutSeconds: 1,
        pollIntervalSeconds: 7,
        reportingGraceSeconds: 0,
      }),
    ).toBe(5);
  });

  it('reads the timeout of each document from its one runShellScript step', () => {
    // add-swap may run 20 minutes (dd of a 64 GiB file at 100 MB/s: issue 12).
    expect(executionTimeoutOf(addSwapDocument())).toBe(1200);
    expect(executionTimeoutOf(collectDiagnosticsDocument())).toBeGreaterThan(0);
    // The longest document (add-swap writes the whole file with dd) is the one that needs the largest budget.
    expect(executionTimeoutOf(addSwapDocument())).toBeGreaterThan(
      executionTimeoutOf(restartServiceDocument()),
    );
  });

  it('refuses a poll interval that is not positive', () => {
    expect(() =>
      maxPollsFor({ deliveryTimeoutSeconds: 1, executionTimeoutSeconds: 1, pollIntervalSeconds: 0 }),
    ).toThrow();
  });
});
