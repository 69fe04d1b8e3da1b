/**
 * How the workflow reads an SSM command invocation (GetCommandInvocation). The state machine's Choice states and
 * the local replay use these same lists and this same classification, so both take the same decisions.
 *
 * Not yet final: `Cancelling` is on its way to `Cancelled` (GetCommandInvocation's Status enum: Pending | InProgress |
 * Delayed | Success | Cancelled | TimedOut | Failed | Cancelling), so it is waited on like the others.
 */
export const SSM_PENDING_STATUSES = ['Pending', 'InProgress', 'Delayed', 'Cancelling'] as const;

/** What GetCommandInvocation tells about one command on one instance (the fields the Lambdas read). */
export interface CommandInvocation {
  Status: string;
  StatusDetails?: string;
  ResponseCode?: number;
  /** The first 24,000 characters of stdout. */
  StandardOutputContent?: string;
  StandardErrorContent?: string;
}

export type InvocationVerdict =
  | { kind: 'success' }
  | { kind: 'failed'; detail: string }
  | { kind: 'timed-out'; detail: string }
  | { kind: 'agent-offline'; detail: string }
  | { kind: 'pending' };

/** Sort a terminal (or not yet terminal) invocation into what the response does next. */
export function classifyInvocation(invocation: CommandInvocation | null | undefined): InvocationVerdict {
  if (!invocation) return { kind: 'failed', detail: 'no command invocation was recorded' };
  const { Status: status, StatusDetails: details = '' } = invocation;
  if ((SSM_PENDING_STATUSES as readonly string[]).includes(status)) return { kind: 'pending' };
  if (status === 'Success') return { kind: 'success' };
  // "Undeliverable" and "Delivery Timed Out": the agent never took the command (stopped, offline, no route).
  if (/undeliverable|delivery timed out/i.test(details)) {
    return {
      kind: 'agent-offline',
      detail: `SSM could not deliver the command (${details}); is the SSM agent running?`,
    };
  }
  if (status === 'TimedOut' || /execution timed out/i.test(details)) {
    return { kind: 'timed-out', detail: `the command did not finish in time (${details || status})` };
  }
  const code = invocation.ResponseCode;
  const stderr = (invocation.StandardErrorContent ?? '').trim().split('\n').pop() ?? '';
  return {
    kind: 'failed',
    detail: `the command ended ${status}${details && details !== status ? ` (${details})` : ''}${
      code !== undefined && code >= 0 ? ` with exit status ${code}` : ''
    }${stderr ? `: ${stderr.slice(0, 300)}` : ''}`,
  };
}

/** `https://<bucket>.s3.<region>.amazonaws.com/<key>` (StandardOutputUrl) -> `s3://<bucket>/<key>` of the output prefix. */
export function s3UriOf(bucket: string | null, keyPrefix: string | null): string | null {
  if (!bucket) return null;
  return `s3://${bucket}/${keyPrefix ?? ''}`;
}
