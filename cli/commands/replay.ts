import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidPolicyError, type Policy, parsePolicy } from '../../functions/core/policy/policy';
import { secretScrubber as scrubber } from '../../functions/core/render/redaction/secret-scrubber';
import { lineCuts, mib } from '../io/bounds';
import { fileErrorReason, resolveInputs, terminalNotice } from '../io/inputs';
import { write } from '../io/output';
import { readLineBatches } from '../io/read-lines';
import type { CommandIo } from '../main';
import type { ReplayInput } from '../replay/feed';
import { runPressureReplayCommand } from '../replay/pressure-run';
import { runReplay } from '../replay/run';
import { EXIT_OK, UsageError } from '../usage-error';
import { referenceDateOption } from './options';

export const REPLAY_HELP = `Usage: oom-responder replay [options] FILE...
       oom-responder replay --pressure EVENT.json [--metrics SERIES.json] [--instance ID] [options]

Run the whole OOM Responder pipeline in this process over kernel logs (FILE, or - for stdin),
with the same use cases and decisions as the deployed Lambdas and state machine, and nothing
sent to AWS: detect the kills (one incident per host within the 15-minute cooldown, later kills
join it), collect diagnostics, analyze, remediate as the policy allows, and notify.

Input: any kernel log 'oom-responder parse' reads (syslog, journalctl, dmesg, /dev/kmsg), a
CloudWatch Logs subscription event or decoded batch (one per line or a whole file), or
'aws logs get-log-events' output; gzip-compressed or not.

With --pressure, replay a memory-pressure warning instead: EVENT.json is the EventBridge event
of an early-warning alarm's contributor going into ALARM ('CloudWatch Alarm Contributor State
Change'); the warning goes through the same use cases as the pressure function and its state
machine: read-only diagnostics (collect-diagnostics with mode=pressure), the projection of the
time to exhaustion, a preventive swap when the policy allows one, and the warning message.

Options:
  --host-exec          this host is the instance: run the SSM documents' scripts here (collect
                       diagnostics; remediations as planned, as a dry run unless --apply).
                       Without it, diagnostics come from a captured sample and nothing runs on
                       any host
  --slack-webhook URL  post each incident's message to this Slack incoming webhook (also read
                       from OOM_RESPONDER_SLACK_WEBHOOK); never printed. Default: print each
                       message's payload on stdout
  --policy FILE        remediation policy, JSON (the construct's remediationPolicy); default:
                       diagnose and notify only
  --apply              remediate for real (needs --host-exec; the scripts need root)
  --pretty             print messages laid out for a terminal instead of JSON payloads
  --year YYYY          year for timestamps that print none (syslog, dmesg -H)
  --pressure FILE      replay this memory-pressure event (no log FILE then)
  --metrics FILE       the instance's memory metrics for --pressure: 'aws cloudwatch
                       get-metric-data' output (results labelled mem_available_percent and
                       swap_used_percent) or a list of series; without it, no projection
  --instance ID        for --pressure, the instance of a contributor that names none (AWS's
                       documented sample is grouped by TableName)
  -h, --help           show this help

Output: one progress line per stage on stderr (detect, then diagnostics, analyze, remediate
and notify for each incident), with its duration. On stdout: each message's Slack payload as
one JSON line when no webhook is given, and nothing else; then a summary of each incident on
stderr (with --pretty: the messages laid out, then the summary, on stdout).

Exit status: 0 when every stage succeeded (also when the input holds no kill); 1 when a stage
failed: detection, diagnostics, the analysis, a remediation that failed (a refusal is not a
failure), or Slack not taking a message. As in the deployed workflow, a failure never stops
the notification. 2 for a bad flag, policy file or unreadable FILE, or input past a limit
(those of 'oom-responder parse', and 256 MiB in all per FILE). See docs/replay.md.`;

/** The largest input replayed, in characters: the whole input is held in memory (cut a larger log around the kills). */
const MAX_INPUT_CHARS = 256 * 1024 * 1024;

export async function replayCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      'host-exec': { type: 'boolean', default: false },
      'slack-webhook': { type: 'string' },
      policy: { type: 'string' },
      apply: { type: 'boolean', default: false },
      pretty: { type: 'boolean', default: false },
      year: { type: 'string' },
      pressure: { type: 'string' },
      metrics: { type: 'string' },
      instance: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    await write(io.stdout, `${REPLAY_HELP}\n`);
    return EXIT_OK;
  }
  const webhookUrl = webhookOption(values['slack-webhook'] ?? process.env.OOM_RESPONDER_SLACK_WEBHOOK);
  try {
    if (values.pressure !== undefined) return await pressureReplay(values, positionals, webhookUrl, io);
    if (values.metrics !== undefined || values.instance !== undefined)
      throw new UsageError('--metrics and --instance go with --pressure');
    if (positionals.length === 0) throw new UsageError('give a FILE to replay (or - for stdin)');
    if (values.apply && !values['host-exec']) {
      throw new UsageError('--apply needs --host-exec: without it nothing runs on any host');
    }
    const policy = await policyOption(values.policy, values.apply);
    const inputs = await readInputs(positionals, io);
    return await runReplay(
      inputs,
      {
        hostExec: values['host-exec'],
        ownKernelClock: values['host-exec'],
        apply: values.apply,
        policy,
        webhookUrl,
        pretty: values.pretty,
        referenceDate: referenceDateOption(values.year),
        source: inputs.map((input) => (input.name === '-' ? 'stdin' : basename(input.name))).join(', '),
        command: 'oom-responder replay',
      },
      io,
    );
  } catch (error) {
    // Nothing thrown may carry the webhook URL to the terminal.
    const scrub = scrubber(webhookUrl);
    const message = scrub((error as Error).message ?? String(error));
    if (error instanceof UsageError) throw new UsageError(message, { cause: error });
    throw Object.assign(new Error(message), { name: (error as Error).name });
  }
}

/** `replay --pressure`: its own composition root (cli/replay/pressure-run.ts), the same flags where they apply. */
async function pressureReplay(
  values: {
    pressure?: string;
    metrics?: string;
    instance?: string;
    'host-exec': boolean;
    apply: boolean;
    pretty: boolean;
    policy?: string;
  },
  positionals: string[],
  webhookUrl: string | null,
  io: CommandIo,
): Promise<number> {
  if (positionals.length > 0)
    throw new UsageError('--pressure replays one event file: give no log FILE with it');
  if (values.apply && !values['host-exec'])
    throw new UsageError('--apply needs --host-exec: without it nothing runs on any host');
  const instance = values.instance ?? null;
  if (instance !== null && !/^i-[0-9a-f]{8}([0-9a-f]{9})?$/.test(instance))
    throw new UsageError(`--instance takes an EC2 instance id (i-0abc...), not '${instance.slice(0, 40)}'`);
  return runPressureReplayCommand(
    {
      eventPath: values.pressure ?? '',
      metricsPath: values.metrics ?? null,
      instanceId: instance,
      hostExec: values['host-exec'],
      apply: values.apply,
      policy: await policyOption(values.policy, values.apply),
      webhookUrl,
      pretty: values.pretty,
      command: 'oom-responder replay',
    },
    io,
  );
}

/** The webhook URL: http(s) only; the error never repeats the value (it is a credential). */
export function webhookOption(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      '--slack-webhook takes an http(s) URL (the value given is not one; it is not shown)',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(
      '--slack-webhook takes an http(s) URL (the value given is not one; it is not shown)',
    );
  }
  return value;
}

/**
 * The policy file, validated with the deployed schema. Unless `--apply`, every remediation it enables is made a
 * dry run: the analysis then plans, and reports, dry runs (the scripts are told `dryRun=true` as well).
 */
export async function policyOption(path: string | undefined, apply: boolean): Promise<Policy> {
  let input: unknown = {};
  if (path !== undefined) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --policy ${path}: ${fileErrorReason(error)}`, { cause: error });
    }
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--policy ${path} is not JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  let policy: Policy;
  try {
    policy = parsePolicy(input);
  } catch (error) {
    if (!(error instanceof InvalidPolicyError)) throw error;
    throw new UsageError(`invalid policy in ${path}: ${error.problems.join('; ')}`, { cause: error });
  }
  if (apply) return policy;
  return {
    addSwap: { ...policy.addSwap, dryRun: true },
    restartService: { ...policy.restartService, dryRun: true },
  };
}

/**
 * Every input whole, read through the CLI's bounded line reader (`readLineBatches`): lines are cut as `parse`
 * cuts them, with the same notes, and the total is capped since the replay holds the whole input.
 */
async function readInputs(paths: string[], io: CommandIo): Promise<ReplayInput[]> {
  const inputs: ReplayInput[] = [];
  const resolved = await resolveInputs(paths, io.stdin);
  const notice = terminalNotice(resolved, 'oom-responder replay');
  if (notice) await write(io.stderr, notice);
  for (const input of resolved) {
    const lines: string[] = [];
    const cuts = lineCuts();
    let size = 0;
    try {
      for await (const batch of readLineBatches(input.stream(), cuts)) {
        for (const line of batch) {
          size += line.length + 1;
          lines.push(line);
        }
        if (size > MAX_INPUT_CHARS) {
          throw new UsageError(
            `${input.name} is larger than ${mib(MAX_INPUT_CHARS)}: replay the part around the kills (e.g. grep -C 200 'Killed process')`,
          );
        }
      }
    } catch (error) {
      if (error instanceof UsageError) throw new UsageError(`cannot read ${input.name}: ${error.message}`);
      throw new UsageError(`cannot read ${input.name}: ${(error as Error).message}`, { cause: error });
    }
    const note = cuts.note(input.name);
    if (note !== null) await write(io.stderr, `oom-responder replay: ${note}\n`);
    inputs.push({ name: input.name, text: lines.join('\n') });
  }
  return inputs;
}
