import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { SAMPLE_DIAGNOSTICS_SENTENCE } from '../../functions/core/incident/provenance';
import type { Policy } from '../../functions/core/policy/policy';
import { renderPressureText } from '../../functions/core/render/pressure-text';
import { secretScrubber as scrubber } from '../../functions/core/render/redaction/secret-scrubber';
import type { SlackMessage } from '../../functions/core/render/slack-blocks';
import { pressureOutcome } from '../../functions/core/respond/notify-pressure';
import { fileErrorReason } from '../io/inputs';
import { write } from '../io/output';
import type { CommandIo } from '../main';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../usage-error';
import { HostScriptRunner, SampleDiagnosticsRunner } from './local-ssm';
import { FileMetricsReader, MetricsFileError } from './metrics-file';
import { PrintingSlackNotifier } from './notify-ports';
import { runPressureReplay } from './pressure-replay';
import { ReplaySlackNotifier } from './replay-slack';
import { SAMPLE_PRESSURE_DIAGNOSTICS } from './samples';
import { formatStageLine } from './stages';

export interface PressureReplaySettings {
  eventPath: string;
  metricsPath: string | null;
  instanceId: string | null;
  hostExec: boolean;
  apply: boolean;
  policy: Policy;
  webhookUrl: string | null;
  pretty: boolean;
  command: string;
}

/**
 * The CLI's composition root for a pressure replay: the event file, this host or the bundled pressure-mode sample
 * for SSM, a series file (or none) for CloudWatch, the printer or the real webhook for Slack. Progress on stderr;
 * the Slack payload on stdout (with --pretty: laid out, then the warning as plain text, as email shows it).
 */
export async function runPressureReplayCommand(
  settings: PressureReplaySettings,
  io: CommandIo,
): Promise<number> {
  const scrub = scrubber(settings.webhookUrl);
  const out = (text: string): Promise<void> => write(io.stdout, scrub(text));
  const err = (text: string): Promise<void> => write(io.stderr, scrub(text));
  const event = await readJson(settings.eventPath, '--pressure');
  const metrics = settings.metricsPath === null ? null : await metricsReader(settings.metricsPath);
  const slack = settings.webhookUrl
    ? new ReplaySlackNotifier(settings.webhookUrl)
    : // With --pretty the terminal gets the warning as plain text (below), the channel a person reads there.
      new PrintingSlackNotifier((message: SlackMessage) =>
        settings.pretty ? Promise.resolve() : out(`${JSON.stringify(message)}\n`),
      );
  let pending = Promise.resolve();
  const queue = (text: string): void => {
    pending = pending.then(() => err(text));
  };
  let result: Awaited<ReturnType<typeof runPressureReplay>>;
  try {
    result = await runPressureReplay(event, {
      runner: settings.hostExec
        ? new HostScriptRunner()
        : new SampleDiagnosticsRunner(SAMPLE_PRESSURE_DIAGNOSTICS),
      diagnosticsFrom: settings.hostExec ? 'on this host' : 'from the captured sample (samples/diagnostics)',
      metrics,
      policy: settings.policy,
      hostExec: settings.hostExec,
      apply: settings.apply,
      slack,
      instanceId: settings.instanceId,
      provenance: settings.hostExec ? null : { kind: 'sample', detail: SAMPLE_DIAGNOSTICS_SENTENCE },
      now: () => new Date(),
      progress: (line) => queue(`${formatStageLine(line)}\n`),
      warn: (text) => queue(`${settings.command}: warning: ${text}\n`),
    });
  } catch (error) {
    // The event is not a contributor state change this pipeline acts on: a bad input, said as such.
    if ((error as Error).name === 'ContributorEventError') {
      const message = (error as Error).message;
      const hint = /names no InstanceId/.test(message)
        ? ' (give --instance ID to replay it as one instance’s)'
        : '';
      throw new UsageError(`${settings.eventPath}: ${message}${hint}`, { cause: error });
    }
    throw error;
  }
  await pending;
  const config = { outputBucket: null, partition: 'aws', region: 'us-east-1' };
  // The terminal's rendering: the outcome the notifier built the message from (its provenance included).
  if (settings.pretty)
    await out(`${renderPressureText(pressureOutcome(result.state, result.executionArn, config))}\n`);
  const where = settings.hostExec
    ? `Diagnostics ran on this host (${hostname()}, --host-exec, mode=pressure); remediation ${settings.apply ? 'for real (--apply)' : 'as a dry run (no --apply)'}.`
    : 'Diagnostics: a captured pressure-mode sample (another host); nothing ran on any host (no --host-exec).';
  await (settings.pretty ? out : err)(
    `Replayed the memory-pressure warning ${result.state.incidentId} on ${result.state.instanceId}. ${where} Metrics: ${settings.metricsPath ?? 'none (no --metrics)'}.\n`,
  );
  if (result.failures.length === 0) return EXIT_OK;
  const lines = result.failures.map((f) => `  ${f.stage}: ${f.detail}`);
  await err(`${settings.command}: ${result.failures.length} stage(s) failed:\n${lines.join('\n')}\n`);
  return EXIT_FAILURE;
}

async function readJson(path: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${flag} ${path}: ${fileErrorReason(error)}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

async function metricsReader(path: string): Promise<FileMetricsReader> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --metrics ${path}: ${fileErrorReason(error)}`, { cause: error });
  }
  try {
    return new FileMetricsReader(text, path);
  } catch (error) {
    if (error instanceof MetricsFileError)
      throw new UsageError(`--metrics ${error.message}`, { cause: error });
    throw error;
  }
}
