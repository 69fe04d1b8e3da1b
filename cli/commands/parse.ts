import { parseArgs } from 'node:util';
import { KernelLogParser, type Kill } from '../../functions/core/kernel-log';
import { formatTable, killTableRow } from '../format/kill-table';
import { feedParser } from '../io/feed-parser';
import { resolveInputs, terminalNotice } from '../io/inputs';
import { NODE_BYTE_VIEW } from '../io/node-byte-view';
import { write } from '../io/output';
import type { CommandIo } from '../main';
import { EXIT_OK, UsageError } from '../usage-error';
import { referenceDateOption } from './options';

export const PARSE_HELP = `Usage: oom-responder parse [options] [FILE...]

Read kernel logs (files, or stdin when no FILE or FILE is -) and print every OOM kill found,
one JSON object per kill (JSON Lines), in input order. Field names: docs/kill-model.md.

Input may be syslog (RFC 3164 or RFC 3339), journalctl (short, short-iso, -o json), dmesg
(plain, -T, -H, --time-format iso, -r, -x), /dev/kmsg records, grep output with file-name
prefixes, a CloudWatch Logs subscription event ({"awslogs":{"data":...}}, one per line or a
whole file), or 'aws logs get-log-events' output. Gzip-compressed input (kern.log.2.gz, or
on stdin) is decompressed as it is read, known by its first bytes whatever its name; xz, zstd
and bzip2 are refused (decompress them first).

Options:
  --pretty       print a table for people instead of JSON Lines
  --year YYYY    year for timestamps that print none (syslog, dmesg -H); default: the current
                 year, or the previous one for dates that would lie in the future
  -h, --help     show this help

Limits: a line longer than 1 MiB (16 MiB for a line of JSON) is cut to that length, with a
note on stderr; a JSON record larger than 16 MiB or nested deeper than 64 levels, or a line
running past 64 MiB without a newline (/dev/zero), stops the reading with exit status 2.

Exit status: 0 when the input was read (also when it holds no kill); 2 for a bad flag, an
unreadable file (a cut-off or corrupt .gz too) or input past a limit.`;

export async function parseCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      pretty: { type: 'boolean', default: false },
      year: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    await write(io.stdout, `${PARSE_HELP}\n`);
    return EXIT_OK;
  }
  const inputs = await resolveInputs(positionals, io.stdin);
  const notice = terminalNotice(inputs, 'oom-responder parse');
  if (notice) await write(io.stderr, notice);
  const parser = new KernelLogParser({
    referenceDate: referenceDateOption(values.year),
    byteView: NODE_BYTE_VIEW,
  });
  const rows: string[][] = [];
  const notes: string[] = [];
  const emit = async (kills: Kill[]): Promise<void> => {
    if (values.pretty) {
      for (const kill of kills) rows.push(killTableRow(kill));
      return;
    }
    await write(io.stdout, `${kills.map((kill) => JSON.stringify(kill)).join('\n')}\n`);
  };
  for (const input of inputs) {
    try {
      await feedParser(input.stream(), parser, emit, { name: input.name, note: (text) => notes.push(text) });
    } catch (error) {
      throw new UsageError(`cannot read ${input.name}: ${(error as Error).message}`, { cause: error });
    }
  }
  const rest = parser.end();
  if (rest.length > 0) await emit(rest);
  for (const problem of parser.problems) {
    await write(io.stderr, `oom-responder parse: skipped a CloudWatch payload: ${problem.message}\n`);
  }
  for (const note of notes) await write(io.stderr, `oom-responder parse: ${note}\n`);
  if (values.pretty) {
    await write(io.stdout, rows.length > 0 ? `${formatTable(rows)}\n` : 'No OOM kills found.\n');
  }
  return EXIT_OK;
}
