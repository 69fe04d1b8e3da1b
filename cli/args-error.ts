/**
 * node:util parseArgs's errors, said the CLI's way: which flag, what is wrong with it, and where the help is.
 * Its own messages suggest `--` for an unknown option and span several lines; a user who mistyped a flag needs
 * neither.
 */

/** True for the errors node:util parseArgs throws (unknown flags, missing values, stray arguments). */
export function isParseArgsError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** One line for a parseArgs error of `command`, ending with the pointer to its help. */
export function parseArgsMessage(error: Error & { code: string }, command: string): string {
  const help = `(see oom-responder ${command} --help)`;
  const message = error.message;
  const option = /^(?:Unknown option|Option) '(-[^' ]*)/.exec(message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option '${option}' ${help}`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (message.includes('does not take an argument')) return `option '${option}' takes no value ${help}`;
    // "argument missing", or "ambiguous" for a value that starts with a dash (`--year -5`).
    return `option '${option}' needs a value ${help}`;
  }
  const argument = /^Unexpected argument '([^']*)'/.exec(message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && argument !== undefined) {
    return `unexpected argument '${argument}': this command takes no FILE ${help}`;
  }
  return `${message.split('\n')[0]} ${help}`;
}
