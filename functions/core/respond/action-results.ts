import type { ActionResult } from '../analysis/model';
import { parseScriptResult } from '../ssm/script-result';
import { classifyInvocation } from '../workflow/ssm-invocation';
import type { ActionState } from '../workflow/state';
import { pollErrorText } from './diagnostics-outcome';
import { isStateTimeout, waitedWords } from './time-limits';

/**
 * What each remediation did, from the workflow's record of its command: the script's own result line when it
 * got that far (done / already-ok / dry-run / refused / failed, with its verification), else what SSM said.
 */
export function actionResults(actions: readonly ActionState[] | undefined): ActionResult[] {
  return (actions ?? []).map(actionResult);
}

function actionResult(state: ActionState): ActionResult {
  const action = state.step.action;
  const commandId = state.command?.commandId ?? null;
  if (state.sendError || !state.command) {
    // The cause holds what the name does not: `Ssm.SsmException` is throttling, validation or access denied.
    const why = !state.sendError
      ? 'it was not sent'
      : isStateTimeout(state.sendError)
        ? 'SSM did not answer SendCommand within its time limit (States.Timeout); not sent again, as the first may have been delivered: check the instance'
        : pollErrorText(state.sendError);
    return {
      action,
      status: 'failed',
      summary: `not sent: ${why}`,
      verification: null,
      commandId,
      exitCode: null,
    };
  }
  if (state.command.pollError) {
    const why = isStateTimeout(state.command.pollError)
      ? 'SSM did not answer GetCommandInvocation within its time limit, on every try (States.Timeout)'
      : pollErrorText(state.command.pollError);
    return {
      action,
      status: 'failed',
      summary: `sent, but SSM did not report how it ended (${why}); the response stopped waiting: check the command output`,
      verification: null,
      commandId,
      exitCode: null,
    };
  }
  const invocation = state.command.invocation;
  const exitCode =
    invocation?.ResponseCode !== undefined && invocation.ResponseCode >= 0 ? invocation.ResponseCode : null;
  const result = parseScriptResult(invocation?.StandardOutputContent ?? '');
  if (result) {
    return {
      action,
      status: result.status,
      summary: result.message ?? `${action}: ${result.status}${result.reason ? ` (${result.reason})` : ''}`,
      verification: result.verification,
      commandId,
      exitCode,
    };
  }
  const verdict = classifyInvocation(invocation);
  const summary =
    verdict.kind === 'pending'
      ? `still ${invocation?.Status ?? 'running'} after ${waitedWords(state.command)}, past its own time limit and its delivery; the workflow stopped waiting: check the command output`
      : verdict.kind === 'success'
        ? 'finished without a result line'
        : verdict.detail;
  return { action, status: 'failed', summary, verification: null, commandId, exitCode };
}
