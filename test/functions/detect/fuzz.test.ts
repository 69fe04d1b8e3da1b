import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryIncidentStore } from '../../../functions/adapters/memory/incident-store';
import { DEFAULT_DETECT_CONFIG } from '../../../functions/core/detect/config';
import type { DetectPorts } from '../../../functions/core/detect/detect-batch';
import { handleSubscriptionEvent } from '../../../functions/detect/handle-event';
import { resolvedInstance } from '../../support/kills';
import { recordingTelemetry, reportLines } from '../../support/subscription';

function ports(): DetectPorts {
  return {
    logs: { readWindow: async () => [] },
    instances: { resolve: async () => resolvedInstance('i-0abc1234def567890') },
    store: new MemoryIncidentStore(),
    workflow: {
      start: async (name) => ({
        executionArn: `arn:aws:states:us-east-1:1:execution:x:${name}`,
        alreadyStarted: false,
      }),
    },
    telemetry: recordingTelemetry(),
    now: () => new Date('2026-11-25T17:31:00Z'),
  };
}

const LINES = reportLines();

describe('the detect handler under fuzzing', () => {
  it('never throws on any payload within the decoder bounds: each is detected, skipped or rejected with a reason', async () => {
    const message = fc.oneof(
      fc.string(),
      fc.constantFrom(...LINES),
      fc.constantFrom(...LINES).map((l) => l.slice(0, 40)),
    );
    const logEvent = fc.record({ id: fc.string({ minLength: 1 }), timestamp: fc.nat(), message });
    const batch = fc.record({
      messageType: fc.constantFrom('DATA_MESSAGE', 'CONTROL_MESSAGE'),
      owner: fc.string(),
      logGroup: fc.string(),
      logStream: fc.string(),
      subscriptionFilters: fc.array(fc.string()),
      logEvents: fc.array(logEvent, { maxLength: 30 }),
    });
    const event = fc.oneof(
      batch.map((b) => ({ awslogs: { data: gzipSync(JSON.stringify(b)).toString('base64') } })),
      fc.anything(),
      fc.string().map((s) => ({ awslogs: { data: s } })),
    );
    await fc.assert(
      fc.asyncProperty(event, async (value) => {
        const outcome = await handleSubscriptionEvent(value, ports(), DEFAULT_DETECT_CONFIG, 1024 * 1024);
        expect(['detected', 'skipped', 'rejected']).toContain(outcome.status);
        if (outcome.status === 'rejected') expect(outcome.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
