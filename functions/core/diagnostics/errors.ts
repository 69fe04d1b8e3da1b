import { OomResponderError } from '../errors';

/**
 * The collect-diagnostics output holds no summary start marker: the script did not run (SSM delivered nothing,
 * an old document), refused its parameters, or was killed before its first line. Retrying the same stdout
 * never helps; running the command again may.
 */
export class DiagnosticsSummaryNotFoundError extends OomResponderError {
  readonly retryable = false;

  constructor(
    /** The first characters of the output, JSON-quoted so no control character reaches a log. */
    readonly excerpt: string,
    options?: { cause?: unknown },
  ) {
    super(
      `no "=== oom-responder summary v1 ===" line in the diagnostics output (it starts ${excerpt})`,
      options,
    );
  }
}
