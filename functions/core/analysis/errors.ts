import { OomResponderError } from '../errors';

/** The analysis was given input it cannot work from (today: a `now` that is no time). Never retryable. */
export class InvalidAnalysisInputError extends OomResponderError {
  readonly retryable = false;
}
