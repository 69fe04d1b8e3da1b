import type { Writable } from 'node:stream';
import { DEMO_HELP, demoCommand } from './commands/demo';
import { PARSE_HELP, parseCommand } from './commands/parse';
import { PREVIEW_HELP, previewCommand } from './commands/preview';
import { REPLAY_HELP, replayCommand } from './commands/replay';
import { write } from './io/output';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './usage-error';

/** Where a command writes; injected so tests run commands in-process. */
export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
}

type Command = (args: string[], io: CommandIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string; help: string }> = {
  parse: {
    run: parseCommand,
    summary: 'find OOM kills in kernel logs and print them as JSON Lines',
    help: PARSE_HELP,
  },
  preview: {
    run: previewCommand,
    summary: 'print the Slack message for the OOM kills in kernel logs, built from the log alone',
    help: PREVIEW_HELP,
  },
  replay: {
    run: replayCommand,
    summary: 'run the whole pipeline locally over kernel logs: detect, diagnose, analyze, remediate, notify',
    help: REPLAY_HELP,
  },
  demo: {
    run: demoCommand,
    summary: 'cause a real, contained OOM kill (as root) and watch the pipeline respond to it',
    help: DEMO_HELP,
  },
};

const MAIN_HELP = `Usage: oom-responder <command> [options]

OOM Responder: understand Linux out-of-memory kills from kernel logs.

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join('\n')}

Run 'oom-responder <command> --help' for a command's options.`;

export async function main(argv: string[], io: CommandIo = process): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await write(io.stdout, `${MAIN_HELP}\n`);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    await write(io.stderr, `oom-responder: unknown command '${name}' (see oom-responder --help)\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      await write(io.stderr, `oom-responder ${name}: ${(error as Error).message.split('\n')[0]}\n`);
      return EXIT_USAGE;
    }
    await write(io.stderr, `oom-responder ${name}: ${(error as Error).message ?? String(error)}\n`);
    return EXIT_FAILURE;
  }
}

/** node:util parseArgs reports unknown flags and missing values with these codes. */
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
