/**
 * Whether an AWS SDK error may succeed on a later try: throttling, 5xx, and network failures. Everything else
 * (access denied, validation) will fail again the same way.
 */
const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottledException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'InternalServerException',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);

export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (candidate.$retryable) return true;
  if (candidate.name && RETRYABLE_NAMES.has(candidate.name)) return true;
  if (candidate.code && RETRYABLE_NAMES.has(candidate.code)) return true;
  const status = candidate.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/** SDK client settings for calls made in bursts (fleet-wide storms): adaptive client-side rate limiting and more tries. */
export const BURST_TOLERANT_CLIENT_CONFIG = { retryMode: 'adaptive', maxAttempts: 8 } as const;
