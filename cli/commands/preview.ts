import { parseArgs } from 'node:util';
import { groupKills } from '../../functions/core/incident/group-kills';
import { KernelLogParser, type Kill } from '../../functions/core/kernel-log';
import { renderPlainText } from '../../functions/core/render/plain-text';
import { renderSlackMessage } from '../../functions/core/render/slack';
import { previewOutcome } from '../format/preview-outcome';
import { feedParser } from '../io/feed-parser';
import { resolveInputs, terminalNotice } from '../io/inputs';
import { NODE_BYTE_VIEW } from '../io/node-byte-view';
import { write } from '../io/output';
import type { CommandIo } from '../main';
import { EXIT_OK, UsageError } from '../usage-error';
import { referenceDateOption } from './options';

export const PREVIEW_HELP = `Usage: oom-responder preview [options] [FILE...]

Print the Slack message the pipeline would post for the OOM kills in kernel logs (files, or
stdin when no FILE or FILE is -), built from the log alone: no AWS call, no diagnostics, no
remediation. Kills of one host within 15 minutes form one incident (the first opens it, the
others join it), as the detector groups them: one message per incident.

Output: the Slack incoming-webhook payload ({"text":..., "blocks":[...]}), one JSON object per
line, ready for Block Kit Builder or 'curl -d @- <webhook URL>'. Input formats: as for
'oom-responder parse' (syslog, journalctl, dmesg, /dev/kmsg, CloudWatch Logs subscription
events, 'aws logs get-log-events' output), gzip-compressed or not.

Options:
  --text              print the plain-text rendering (the email body) instead, messages
                      separated by a line of dashes
  --region REGION     region for console links (Logs Insights needs a log group, as in a
                      subscription payload); default: no links
  --partition NAME    aws, aws-cn or aws-us-gov; default: aws
  --year YYYY         year for timestamps that print none (syslog, dmesg -H)
  -h, --help          show this help

Limits: as for 'oom-responder parse' (lines cut at 1 MiB with a note; exit status 2 for a
JSON record past 16 MiB or 64 levels, or a line past 64 MiB).

Exit status: 0 when the input was read (also when it holds no kill: nothing is printed on
stdout); 2 for a bad flag, an unreadable file or input past a limit.`;

export async function previewCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      text: { type: 'boolean', default: false },
      region: { type: 'string', default: '' },
      partition: { type: 'string', default: 'aws' },
      year: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    await write(io.stdout, `${PREVIEW_HELP}\n`);
    return EXIT_OK;
  }
  if (values.region !== '' && !/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(values.region)) {
    throw new UsageError(`--region takes a region name such as us-east-1, got '${values.region}'`);
  }
  if (!['aws', 'aws-cn', 'aws-us-gov'].includes(values.partition)) {
    throw new UsageError(`--partition takes aws, aws-cn or aws-us-gov, got '${values.partition}'`);
  }
  const { kills, hostKeyOf } = await readKills(positionals, referenceDateOption(values.year), io);
  if (kills.length === 0) {
    await write(io.stderr, 'oom-responder preview: no OOM kills found in the input\n');
    return EXIT_OK;
  }
  const context = { partition: values.partition, region: values.region, now: new Date().toISOString() };
  const outcomes = groupKills(kills, { hostKeyOf }).map((group) => previewOutcome(group, context));
  const rendered = values.text
    ? outcomes.map(renderPlainText).join(`${'-'.repeat(72)}\n`)
    : `${outcomes.map((outcome) => JSON.stringify(renderSlackMessage(outcome))).join('\n')}\n`;
  await write(io.stdout, rendered);
  return EXIT_OK;
}

/**
 * The kills of every input, and which host each came from: its host name or log stream, else the input it was
 * read from (two saved dmesg outputs with no host name are two hosts, not one). Each input gets its own parser,
 * so a report still open at the end of one file is closed there, not attributed to the next.
 */
async function readKills(
  paths: string[],
  referenceDate: Date | undefined,
  io: CommandIo,
): Promise<{ kills: Kill[]; hostKeyOf: (kill: Kill) => string }> {
  const inputs = await resolveInputs(paths, io.stdin);
  const notice = terminalNotice(inputs, 'oom-responder preview');
  if (notice) await write(io.stderr, notice);
  const kills: Kill[] = [];
  const inputOf = new WeakMap<Kill, number>();
  for (const [index, input] of inputs.entries()) {
    const parser = new KernelLogParser({ referenceDate, byteView: NODE_BYTE_VIEW });
    const notes: string[] = [];
    const take = (batch: Kill[]): void => {
      // One by one, not push(...batch): a single subscription payload can finish more kills than a call takes arguments.
      for (const kill of batch) {
        inputOf.set(kill, index);
        kills.push(kill);
      }
    };
    try {
      await feedParser(input.stream(), parser, take, { name: input.name, note: (text) => notes.push(text) });
    } catch (error) {
      throw new UsageError(`cannot read ${input.name}: ${(error as Error).message}`, { cause: error });
    }
    take(parser.end());
    for (const problem of parser.problems) {
      await write(
        io.stderr,
        `oom-responder preview: skipped a CloudWatch payload in ${input.name}: ${problem.message}\n`,
      );
    }
    for (const note of notes) await write(io.stderr, `oom-responder preview: ${note}\n`);
  }
  const hostKeyOf = (kill: Kill): string =>
    kill.hostname ?? kill.logStream ?? `input ${inputOf.get(kill) ?? 0}`;
  return { kills, hostKeyOf };
}
