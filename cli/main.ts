import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { isParseArgsError, parseArgsMessage } from './args-error';
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

/**
 * Each command's module is imported when that command runs, not at start: `parse` should not pay for the AWS SDK
 * that `drill` and `replay` load (about a second of start-up under tsx when every command was imported eagerly).
 */
const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string }> = {
  parse: {
    load: async () => (await import('./commands/parse')).parseCommand,
    summary: 'find OOM kills in kernel logs and print them as JSON Lines',
  },
  preview: {
    load: async () => (await import('./commands/preview')).previewCommand,
    summary: 'print the Slack message for the OOM kills in kernel logs, built from the log alone',
  },
  replay: {
    load: async () => (await import('./commands/replay')).replayCommand,
    summary: 'run the whole pipeline locally over kernel logs: detect, diagnose, analyze, remediate, notify',
  },
  demo: {
    load: async () => (await import('./commands/demo')).demoCommand,
    summary: 'cause a real, contained OOM kill (as root) and watch the pipeline respond to it',
  },
  drill: {
    load: async () => (await import('./commands/drill')).drillCommand,
    summary: 'prove a deployed stack works end to end: a synthetic OOM report, followed to the notification',
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
    const run = await command.load();
    return await run(args, io);
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
