import { parseDiagnosticsSummary } from '../diagnostics/summary-parser';
import type { DiagnosticsOutcome } from '../incident/outcome';
import { classifyInvocation } from '../workflow/ssm-invocation';
import type { AnalyzeEvent } from '../workflow/state';
import { isStateTimeout, waitedWords } from './time-limits';

/**
 * What became of the diagnostics command, from what the workflow recorded: collected (with the parsed summary),
 * or why not, in words an on-call engineer can act on. Shared by the analyze Lambda and the local replay.
 */
export function diagnosticsOutcome(
  event: Pick<AnalyzeEvent, 'incidentId' | 'diagnostics' | 'diagnosticsSendError'>,
  outputBucket: string | null,
): DiagnosticsOutcome {
  const none = { summary: null, commandId: null, outputS3Uri: null };
  const diagnostics = event.diagnostics;
  if (diagnostics && 'unresolved' in diagnostics) {
    return {
      ...none,
      status: 'unmanaged',
      detail: 'the log did not say which EC2 instance this is, so nothing was sent to the host',
    };
  }
  if (event.diagnosticsSendError) return { ...none, ...sendFailure(event.diagnosticsSendError) };
  // Every path of the workflow records diagnostics or why there are none: only a response that ended before it
  // could notify (the execution-ended backstop) comes without them.
  if (!diagnostics) {
    return {
      ...none,
      status: 'skipped',
      detail: 'no diagnostics result reached the notifier (see the execution)',
    };
  }
  const commandId = diagnostics.commandId;
  const outputS3Uri = outputBucket
    ? `s3://${outputBucket}/diagnostics/${event.incidentId}/${commandId}/`
    : null;
  if (diagnostics.pollError) {
    const why = isStateTimeout(diagnostics.pollError)
      ? 'SSM did not answer GetCommandInvocation within its time limit, on every try (States.Timeout)'
      : `SSM did not report the command's status (${pollErrorText(diagnostics.pollError)})`;
    return {
      status: 'failed',
      summary: null,
      detail: `${why}; the response stopped waiting, and the command may still have run: see its output in S3`,
      commandId,
      outputS3Uri,
    };
  }
  const verdict = classifyInvocation(diagnostics.invocation);
  switch (verdict.kind) {
    case 'success': {
      const stdout = diagnostics.invocation?.StandardOutputContent ?? '';
      try {
        return {
          status: 'collected',
          summary: parseDiagnosticsSummary(stdout),
          detail: null,
          commandId,
          outputS3Uri,
        };
      } catch (error) {
        return {
          status: 'failed',
          summary: null,
          detail: `the output held no summary: ${(error as Error).message}`,
          commandId,
          outputS3Uri,
        };
      }
    }
    case 'pending':
      return {
        status: 'timed-out',
        summary: null,
        detail: `the command was still ${diagnostics.invocation?.Status ?? 'pending'} after ${waitedWords(diagnostics)}, past its own time limit and its delivery; the response stopped waiting for it (it may still finish: see its output in S3)`,
        commandId,
        outputS3Uri,
      };
    case 'agent-offline':
      return { status: 'agent-offline', summary: null, detail: verdict.detail, commandId, outputS3Uri };
    case 'timed-out':
      return { status: 'timed-out', summary: null, detail: verdict.detail, commandId, outputS3Uri };
    default:
      return { status: 'failed', summary: null, detail: verdict.detail, commandId, outputS3Uri };
  }
}

/** `Ssm.SsmException: Rate exceeded`, from the error Step Functions caught. */
export function pollErrorText(error: { Error?: string; Cause?: string }): string {
  const cause = (error.Cause ?? '').slice(0, 200);
  return `${error.Error ?? 'unknown error'}${cause ? `: ${cause}` : ''}`;
}

/** SendCommand itself failed: which way tells whether the instance is unmanaged, offline, or something else. */
function sendFailure(error: {
  Error?: string;
  Cause?: string;
}): Pick<DiagnosticsOutcome, 'status' | 'detail'> {
  const name = error.Error ?? '';
  const cause = (error.Cause ?? '').slice(0, 300);
  // The interpretation first, then SSM's own words: the error name tells on-call what to search for.
  const said = `${name}${cause ? `: ${cause.slice(0, 200)}` : ''}`;
  if (/InvalidInstanceId/i.test(name) || /InvalidInstanceId/i.test(cause)) {
    return {
      status: 'agent-offline',
      detail: `SSM does not reach the instance: its agent is not running or not registered, or the instance is stopped (${said})`,
    };
  }
  if (/AccessDenied|not authorized/i.test(`${name} ${cause}`)) {
    return {
      status: 'unmanaged',
      detail: `the instance is not in scope (it lacks the OOM Responder tag), so no command was sent (${said})`,
    };
  }
  if (isStateTimeout(error)) {
    // Not sent again (lib/workflow/ssm-command.ts): the first SendCommand may have reached SSM.
    return {
      status: 'failed',
      detail:
        'SSM did not answer SendCommand within its time limit (States.Timeout); it was not sent again, as the first may have been delivered',
    };
  }
  return { status: 'failed', detail: `SendCommand failed: ${name}${cause ? ` (${cause})` : ''}` };
}
