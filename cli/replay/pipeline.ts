import { MemoryIncidentStore } from '../../functions/adapters/memory/incident-store';
import { DEFAULT_DETECT_CONFIG, type DetectConfig } from '../../functions/core/detect/config';
import { type DetectPorts, detectBatch } from '../../functions/core/detect/detect-batch';
import type { NotificationRecord } from '../../functions/core/detect/ports';
import type { Incident } from '../../functions/core/incident/model';
import type { ResponseOutcome } from '../../functions/core/incident/outcome';
import type { Provenance } from '../../functions/core/incident/provenance';
import type { Policy } from '../../functions/core/policy/policy';
import type { SnsNotification } from '../../functions/core/render/sns';
import type { SlackNotifier } from '../../functions/core/respond/notify-ports';
import {
  QueuedWorkflowStarter,
  ReplayInstanceDirectory,
  ReplayLogContext,
  type ReplayTarget,
} from './detect-ports';
import type { ReplayFeed } from './feed';
import { type CommandRunner, LOCAL_DOCUMENTS } from './local-ssm';
import { withoutMadeUpTimes } from './made-up-times';
import { KeptSnsPublisher, replayNotifyTelemetry, warningsTo } from './notify-ports';
import { type RemediateMode, runResponse } from './response';
import { type StageLine, type StageName, timed } from './stages';

export interface ReplayPipelineOptions {
  target: ReplayTarget;
  /** Runs SSM documents: the scripts on this host, or the captured sample. */
  runner: CommandRunner;
  /** Where diagnostics come from, in words for the progress lines. */
  diagnosticsFrom: string;
  /** The remediation policy as the analysis should apply it (the replay has made it a dry run unless --apply). */
  policy: Policy;
  apply: boolean;
  slack: SlackNotifier;
  now: () => Date;
  progress: (line: StageLine) => void;
  warn: (text: string) => void;
  /** What the messages were built from when it is not a live kill: carried in every workflow input. @default live */
  provenance?: Provenance | null;
}

export interface IncidentResult {
  incident: Incident;
  outcome: ResponseOutcome | null;
  notification: NotificationRecord | null;
}

export interface ReplayResult {
  kills: number;
  duplicates: number;
  incidents: IncidentResult[];
  failures: { stage: StageName; incident: string | null; detail: string }[];
  /** What would have been published to the SNS topic. */
  sns: SnsNotification[];
}

/** The detector's tunables as deployed; one group at a time, so the replay is deterministic. */
const DETECT_CONFIG: DetectConfig = { ...DEFAULT_DETECT_CONFIG, concurrency: 1 };
/** The notifier's storm threshold as deployed (`STORM_THRESHOLD` default). */
const STORM_THRESHOLD = 5;

/**
 * The whole pipeline in this process: the detect use case over every delivery of the feed (incidents recorded in
 * an in-memory incident store, dedupe and cooldown included), then each started response in order, through the
 * state machine's steps (`runResponse`) with the analyze and notify use cases the Lambdas run.
 */
export async function runReplayPipeline(
  feed: ReplayFeed,
  options: ReplayPipelineOptions,
): Promise<ReplayResult> {
  const result: ReplayResult = { kills: 0, duplicates: 0, incidents: [], failures: [], sns: [] };
  const store = new MemoryIncidentStore();
  const workflow = new QueuedWorkflowStarter(options.provenance ?? null);
  const telemetry = warningsTo(options.warn);
  const ports: DetectPorts = {
    logs: new ReplayLogContext(feed.streams),
    instances: new ReplayInstanceDirectory(options.target),
    store: withoutMadeUpTimes(store, feed.madeUpTimesMs),
    workflow,
    telemetry,
    now: options.now,
  };

  const detected = await timed(
    (line) => options.progress({ ...line, incident: null }),
    'detect',
    async () => {
      try {
        for (const batch of feed.batches) {
          const batchResult = await detectBatch(batch, ports, DETECT_CONFIG);
          result.kills += batchResult.kills;
          result.duplicates += batchResult.duplicates;
        }
      } catch (error) {
        const detail = `${(error as Error).name}: ${(error as Error).message}`;
        result.failures.push({ stage: 'detect', incident: null, detail });
        return { value: false, text: detail, failed: true };
      }
      return { value: true, text: detectText(result, workflow.queue.length, feed) };
    },
  );
  if (!detected) return result;

  const policy = options.policy;
  const documents = {
    ...(policy.addSwap.enabled ? { addSwap: LOCAL_DOCUMENTS.addSwap } : {}),
    ...(policy.restartService.enabled ? { restartService: LOCAL_DOCUMENTS.restartService } : {}),
  };
  const remediate: RemediateMode =
    Object.keys(documents).length === 0
      ? 'not-deployed'
      : options.target.kind === 'this-host'
        ? 'run'
        : 'not-sent';
  const sns = new KeptSnsPublisher();
  const total = workflow.queue.length;
  for (const [index, queued] of workflow.queue.entries()) {
    const label = `${index + 1}/${total}`;
    const response = await runResponse(queued, {
      store,
      runner: options.runner,
      analyze: { policy, documents, outputBucket: null },
      remediate,
      apply: options.apply,
      notify: {
        store,
        slack: options.slack,
        sns,
        telemetry: replayNotifyTelemetry(telemetry),
        now: options.now,
      },
      notifyConfig: {
        stormThreshold: STORM_THRESHOLD,
        stormWindowMs: DETECT_CONFIG.stormWindowMs,
        qDeveloperFormat: false,
        outputBucket: null,
        partition: 'aws',
        // No region: a replay links to no console page.
        region: '',
      },
      now: options.now,
      report: (line) => options.progress({ ...line, incident: label }),
      diagnosticsFrom: options.diagnosticsFrom,
    });
    const incident = await store.getIncident(queued.input.incidentId);
    if (incident)
      result.incidents.push({ incident, outcome: response.outcome, notification: response.notification });
    for (const failure of response.failures) result.failures.push({ ...failure, incident: label });
  }
  result.sns = sns.kept;
  return result;
}

function detectText(result: ReplayResult, incidents: number, feed: ReplayFeed): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const joined = result.kills - result.duplicates - incidents;
  const extras = [
    joined > 0 ? `${plural(joined, 'kill')} joined an open incident` : null,
    result.duplicates > 0 ? `${plural(result.duplicates, 'duplicate')} dropped` : null,
  ].filter(Boolean);
  const lines = feed.streams.reduce((sum, stream) => sum + stream.events.length, 0);
  return `${plural(result.kills, 'kill')} in ${plural(incidents, 'incident')}${
    extras.length > 0 ? ` (${extras.join(', ')})` : ''
  }, from ${plural(lines, 'line')} in ${plural(feed.streams.length, 'stream')}`;
}
