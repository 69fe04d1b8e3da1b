import { afterAll, beforeAll, beforeEach } from 'vitest';
import { MemoryIncidentStore } from '../../../../functions/adapters/memory/incident-store';
import { WebhookSlackNotifier } from '../../../../functions/adapters/slack/webhook-notifier';
import { workflowInputFor } from '../../../../functions/core/detect/detect-batch';
import type { RecordKillsRequest } from '../../../../functions/core/detect/ports';
import { parsePolicy } from '../../../../functions/core/policy/policy';
import type { SnsNotification } from '../../../../functions/core/render/sns';
import {
  type AnalyzeIncidentResult,
  analyzeIncident,
} from '../../../../functions/core/respond/analyze-incident';
import type { NotifyIncidentConfig, NotifyPorts } from '../../../../functions/core/respond/notify-incident';
import type { NotifyTelemetry, SnsPublisher } from '../../../../functions/core/respond/notify-ports';
import type { NotifyEvent } from '../../../../functions/core/workflow/state';
import { realKill, recordRequest } from '../../../support/kills';
import { type FakeSlack, startFakeSlack } from '../../../support/slack-server';
import { ADD_SWAP_STEP, command, DIAGNOSTICS_STDOUT } from './workflow-states';

/**
 * What the notify tests share: the in-memory incident store, a recording SNS topic, recording telemetry, and Slack
 * as a real loopback HTTP server reached through the real webhook adapter.
 */
export const INSTANCE = 'i-0a1b2c3d4e5f60789';
export const T0 = Date.parse('2026-11-25T18:28:15Z');
export const MINUTE = 60_000;
export const NOTIFIED_AT = new Date(T0 + 5 * MINUTE);
export const EXECUTION =
  'arn:aws:states:us-east-1:123456789012:execution:OomResponderResponse:oom-20261125T182815-0123456789abcdef';
export const CONFIG: NotifyIncidentConfig = {
  stormThreshold: 5,
  stormWindowMs: 300_000,
  qDeveloperFormat: false,
  outputBucket: 'oomresponder-diagnostics-123456789012',
  partition: 'aws',
  region: 'us-east-1',
};

/** An SNS topic that remembers what was published, or fails. */
export class RecordingSns implements SnsPublisher {
  readonly published: SnsNotification[] = [];
  failure: Error | null = null;

  async publish(notification: SnsNotification): Promise<{ messageId: string }> {
    if (this.failure) throw this.failure;
    this.published.push(notification);
    return { messageId: `m-${this.published.length}` };
  }
}

export interface RecordingTelemetry extends NotifyTelemetry {
  counts: Map<string, number>;
  lines: { level: string; message: string; fields: Record<string, unknown> }[];
}

function recordingTelemetry(): RecordingTelemetry {
  const counts = new Map<string, number>();
  const lines: RecordingTelemetry['lines'] = [];
  return {
    counts,
    lines,
    info: (message, fields = {}) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields = {}) => lines.push({ level: 'warn', message, fields }),
    count: (metric, value = 1) => counts.set(metric, (counts.get(metric) ?? 0) + value),
  };
}

export interface NotifyHarness {
  slack: FakeSlack;
  store: MemoryIncidentStore;
  sns: RecordingSns;
  telemetry: RecordingTelemetry;
  ports: NotifyPorts;
  /** Record one incident of the real (sd-pam) memcg kill, observed at `atMs` on `instanceId`. */
  incident(atMs?: number, instanceId?: string): Promise<RecordKillsRequest>;
  /** What the analyze step returned: add-swap enabled (planned and recorded), or the default policy (`null`). */
  analyzed(request: RecordKillsRequest, dryRun?: boolean | null): Promise<AnalyzeIncidentResult>;
  /** The JSON of the `index`th Slack post. */
  slackText(index?: number): string;
}

/** Register the hooks that give each test a fresh store, topic and telemetry, and one Slack server per file. */
export function useNotifyHarness(): NotifyHarness {
  const h = {
    async incident(atMs = T0, instanceId = INSTANCE) {
      const seconds = (atMs - T0) / 1000;
      const request = recordRequest(instanceId, [
        { kill: realKill({ pid: 3000 + seconds, kernelTime: 100 + seconds }), observedAtMs: atMs },
      ]);
      await h.store.recordKills(request);
      return request;
    },
    analyzed(request, dryRun = false) {
      return analyzeIncident(
        stateOf(request, COLLECTED),
        h.store,
        {
          policy: parsePolicy(dryRun === null ? {} : { addSwap: { enabled: true, dryRun } }),
          documents: { addSwap: ADD_SWAP_STEP.documentName },
          outputBucket: CONFIG.outputBucket,
        },
        new Date(T0 + MINUTE),
      );
    },
    slackText: (index = 0) => JSON.stringify(h.slack.requests[index]?.body ?? null),
  } as NotifyHarness;
  beforeAll(async () => {
    h.slack = await startFakeSlack();
  });
  afterAll(async () => {
    await h.slack.close();
  });
  beforeEach(() => {
    h.slack.requests.length = 0;
    h.slack.reply({ status: 200, body: 'ok' });
    h.store = new MemoryIncidentStore();
    h.sns = new RecordingSns();
    h.telemetry = recordingTelemetry();
    h.ports = {
      store: h.store,
      // The real adapter, posting to the loopback Slack; retries wait for nothing.
      slack: new WebhookSlackNotifier({ webhookUrl: async () => h.slack.url, sleep: async () => {} }),
      sns: h.sns,
      telemetry: h.telemetry,
      now: () => NOTIFIED_AT,
    };
  });
  return h;
}

/** The diagnostics command as the workflow recorded it: collected, with the real capture's stdout. */
export const COLLECTED: Partial<NotifyEvent> = {
  diagnostics: command({ Status: 'Success', ResponseCode: 0, stdout: DIAGNOSTICS_STDOUT }),
};

/** The workflow state as the notify step gets it: the detector's input and what each step added. */
export function stateOf(request: RecordKillsRequest, extra: Partial<NotifyEvent> = {}): NotifyEvent {
  return { ...workflowInputFor(request.incident), ...extra };
}

/** The notify Lambda's payload: `{state, executionArn}` (lib/workflow/response-workflow.ts). */
export function payload(request: RecordKillsRequest, extra: Partial<NotifyEvent> = {}) {
  return { state: stateOf(request, extra), executionArn: EXECUTION };
}
