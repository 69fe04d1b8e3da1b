import type { ActionResult } from '../analysis/model';
import { parseScriptResult } from '../ssm/script-result';
import { classifyInvocation } from '../workflow/ssm-invocation';
import type { ActionState } from '../workflow/state';
import { pollErrorText } from './diagnostics-outcome';

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
    const why = state.sendError?.Error ?? 'it was not sent';
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
    return {
      action,
      status: 'failed',
      summary: `sent, but SSM did not report how it ended (${pollErrorText(state.command.pollError)}); check the command output`,
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
      ? `still ${invocation?.Status ?? 'running'} when the workflow stopped waiting; check the command output`
      : verdict.kind === 'success'
        ? 'finished without a result line'
        : verdict.detail;
  return { action, status: 'failed', summary, verification: null, commandId, exitCode };
}
