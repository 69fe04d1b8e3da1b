import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { type Provenance, SAMPLE_DIAGNOSTICS_SENTENCE } from '../../functions/core/incident/provenance';
import type { Policy } from '../../functions/core/policy/policy';
import { secretScrubber as scrubber } from '../../functions/core/render/redaction/secret-scrubber';
import type { SlackMessage } from '../../functions/core/render/slack-blocks';
import { formatReplaySummary } from '../format/replay-summary';
import { slackMessageForTerminal } from '../format/slack-terminal';
import { write } from '../io/output';
import type { CommandIo } from '../main';
import { EXIT_FAILURE, EXIT_OK } from '../usage-error';
import type { ReplayTarget } from './detect-ports';
import { type ReplayInput, replayFeed } from './feed';
import { HostScriptRunner, SampleDiagnosticsRunner } from './local-ssm';
import { PrintingSlackNotifier } from './notify-ports';
import { runReplayPipeline } from './pipeline';
import { ReplaySlackNotifier } from './replay-slack';
import { SAMPLE_DIAGNOSTICS } from './samples';
import { formatStageLine } from './stages';

/** Everything a replay is told, after its command has read and checked its flags. */
export interface ReplaySettings {
  /** This host is the instance: documents run here. */
  hostExec: boolean;
  /** Whether the inputs' kernel uptime stamps are this host's (its boot time places them). */
  ownKernelClock: boolean;
  /** Remediate for real; otherwise every remediation is a dry run. */
  apply: boolean;
  policy: Policy;
  /** Never printed: scrubbed from everything the replay writes. */
  webhookUrl: string | null;
  /**
   * Print messages laid out for a terminal, and the summary after them on stdout. Otherwise stdout holds only
   * the JSON payloads (nothing with a webhook) and the summary goes to stderr.
   */
  pretty: boolean;
  /** The date year-less timestamps are read against. @default now */
  referenceDate?: Date;
  /** How the summary names what was replayed. */
  source: string;
  /** The prefix of stderr lines, e.g. `oom-responder replay`. */
  command: string;
  /**
   * What the messages are built from, shown in their headers and text. @default a sample without `hostExec`
   * (its processes, memory and state are another host's), else none (live: the diagnostics are this host's)
   */
  provenance?: Provenance | null;
}

/** The provenance a replay labels its messages with: given by the command, else from where diagnostics ran. */
export function replayProvenance(
  settings: Pick<ReplaySettings, 'hostExec' | 'provenance'>,
): Provenance | null {
  if (settings.provenance !== undefined) return settings.provenance;
  return settings.hostExec ? null : { kind: 'sample', detail: SAMPLE_DIAGNOSTICS_SENTENCE };
}

/**
 * The CLI's composition root for the pipeline, shared by `replay` and `demo`: the replay's adapters (streams for
 * logs, this host or a sample for the instance and SSM, an in-memory incident store, the real Slack webhook
 * adapter or a printer, SNS kept locally) around the same use cases as the Lambdas. Progress goes to stderr, one
 * line per stage; messages (when printed) to stdout, the summary after them (stderr unless pretty). Returns the exit status: 1 when a stage
 * failed. The webhook URL is scrubbed from every line written.
 */
export async function runReplay(
  inputs: ReplayInput[],
  settings: ReplaySettings,
  io: CommandIo,
): Promise<number> {
  const scrub = scrubber(settings.webhookUrl);
  const out = (text: string): Promise<void> => write(io.stdout, scrub(text));
  const err = (text: string): Promise<void> => write(io.stderr, scrub(text));
  const nowMs = Date.now();
  const uptime = settings.ownKernelClock ? uptimeSeconds() : null;
  const feed = replayFeed(inputs, {
    nowMs,
    referenceDate: settings.referenceDate ?? new Date(nowMs),
    bootMs: uptime === null ? null : nowMs - uptime * 1000,
  });
  for (const problem of feed.problems) await err(`${settings.command}: ${problem}\n`);

  const target: ReplayTarget = settings.hostExec
    ? { kind: 'this-host', hostname: hostname() }
    : { kind: 'sample' };
  const url = settings.webhookUrl;
  const slack = url
    ? new ReplaySlackNotifier(url)
    : new PrintingSlackNotifier((message: SlackMessage) =>
        out(settings.pretty ? `${slackMessageForTerminal(message)}\n` : `${JSON.stringify(message)}\n`),
      );
  // Progress lines are written as they come; the writes are queued so they keep their order.
  let pending = Promise.resolve();
  const queue = (text: string): void => {
    pending = pending.then(() => err(text));
  };
  const result = await runReplayPipeline(feed, {
    target,
    runner: settings.hostExec ? new HostScriptRunner() : new SampleDiagnosticsRunner(SAMPLE_DIAGNOSTICS),
    diagnosticsFrom: settings.hostExec ? 'on this host' : 'from the captured sample (samples/diagnostics)',
    policy: settings.policy,
    apply: settings.apply,
    slack,
    now: () => new Date(),
    progress: (line) => queue(`${formatStageLine(line)}\n`),
    warn: (text) => queue(`${settings.command}: warning: ${text}\n`),
    provenance: replayProvenance(settings),
  });
  await pending;

  if (result.kills === 0 && result.failures.length === 0) {
    await err(`${settings.command}: no OOM kills found in the input\n`);
  }
  // Without --pretty, stdout is the payloads, one JSON line each, for jq or curl: the summary is for the person.
  await (settings.pretty ? out : err)(
    formatReplaySummary(result, {
      source: settings.source,
      where: whereText(settings),
      slack: url ? 'webhook' : 'printed',
    }),
  );
  if (result.failures.length === 0) return EXIT_OK;
  const lines = result.failures.map(
    (f) => `  ${f.stage}${f.incident ? ` [incident ${f.incident}]` : ''}: ${f.detail}`,
  );
  await err(`${settings.command}: ${result.failures.length} stage(s) failed:\n${lines.join('\n')}\n`);
  return EXIT_FAILURE;
}

function whereText(settings: ReplaySettings): string {
  if (!settings.hostExec) {
    return 'Diagnostics: a captured sample (another host); nothing ran on any host (no --host-exec).';
  }
  return `Diagnostics ran on this host (${hostname()}, --host-exec); remediation ${
    settings.apply ? 'for real (--apply)' : 'as a dry run (no --apply)'
  }.`;
}

/** This host's uptime, to place kernel uptime stamps on the wall clock; null where /proc is not there. */
function uptimeSeconds(): number | null {
  try {
    const value = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}
