import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { isParseArgsError, parseArgsMessage } from './args-error';
import { DEMO_HELP, demoCommand } from './commands/demo';
import { DRILL_HELP, drillCommand } from './commands/drill';
import { PARSE_HELP, parseCommand } from './commands/parse';
import { PREVIEW_HELP, previewCommand } from './commands/preview';
import { REPLAY_HELP, replayCommand } from './commands/replay';
import type { StdinSource } from './io/inputs';
import { write } from './io/output';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './usage-error';

/** Where a command writes; injected so tests run commands in-process. */
export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
  /** @default process.stdin */
  stdin?: StdinSource;
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
  drill: {
    run: drillCommand,
    summary: 'prove a deployed stack works end to end: a synthetic OOM report, followed to the notification',
    help: DRILL_HELP,
  },
};

const MAIN_HELP = `Usage: oom-responder <command> [options]

OOM Responder: understand Linux out-of-memory kills from kernel logs.

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join('\n')}

Options:
  -V, --version  print the version
  -h, --help     show this help

Run 'oom-responder <command> --help' for a command's options.`;

/** The package's version, read when asked for: the CLI runs from the repository, so package.json is beside it. */
function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

export async function main(argv: string[], io: CommandIo = process): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await write(io.stdout, `${MAIN_HELP}\n`);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-V') {
    await write(io.stdout, `oom-responder ${packageVersion()}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    await write(io.stderr, `oom-responder: unknown command '${name}' (see oom-responder --help)\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (isParseArgsError(error)) {
      await write(io.stderr, `oom-responder ${name}: ${parseArgsMessage(error, name)}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      await write(io.stderr, `oom-responder ${name}: ${error.message.split('\n')[0]}\n`);
      return EXIT_USAGE;
    }
    await write(io.stderr, `oom-responder ${name}: ${(error as Error).message ?? String(error)}\n`);
    return EXIT_FAILURE;
  }
}
