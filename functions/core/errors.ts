/**
 * Errors of the pure core. Each says whether trying again could help, the split the Lambda handlers and the
 * CLI act on (alertmanager's notifiers return the same "retry?" verdict with every failure).
 */
export abstract class OomResponderError extends Error {
  /** True when the same input may succeed later (throttling, a 5xx); false when it never will. */
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Why a CloudWatch Logs subscription payload was refused. */
export type PayloadProblem = 'shape' | 'base64' | 'gzip' | 'too-large' | 'json' | 'schema';

/** A payload that can never be decoded: log it, count it, do not retry it. */
export class MalformedPayloadError extends OomResponderError {
  readonly retryable = false;

  constructor(
    readonly problem: PayloadProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
