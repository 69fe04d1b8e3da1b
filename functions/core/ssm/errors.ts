import { OomResponderError } from '../errors';
import type { SsmDocumentKind } from './parameter-specs';

/** What is wrong with one parameter value. */
export interface ParameterProblem {
  parameter: string;
  problem: 'missing' | 'unknown' | 'type' | 'pattern' | 'range';
  message: string;
}

/**
 * Parameter values that must not be sent: SSM would refuse them (`allowedPattern`), and so would the script.
 * Never retryable. Lists every problem at once; values are quoted as JSON, cut to 60 characters, so a hostile
 * value cannot write control characters into a log.
 */
export class InvalidSsmParametersError extends OomResponderError {
  readonly retryable = false;

  constructor(
    readonly document: SsmDocumentKind,
    readonly problems: readonly ParameterProblem[],
    options?: { cause?: unknown },
  ) {
    super(
      `invalid ${document} parameters: ${problems.map((p) => `${p.parameter}: ${p.message}`).join('; ')}`,
      options,
    );
  }
}
