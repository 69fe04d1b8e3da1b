import { describe, expect, it } from 'vitest';
import type { ActionResult } from '../../../../functions/core/analysis/model';
import { actionResults } from '../../../../functions/core/respond/action-results';
import type { ActionState } from '../../../../functions/core/workflow/state';
import {
  ADD_SWAP_OUTPUT,
  ADD_SWAP_STEP,
  command,
  RESTART_OUTPUT,
  RESTART_STEP,
  ranAction,
} from './workflow-states';

const CMD = 'c0ffee00-1234-4abc-8def-222222222222';

describe('actionResults', () => {
  it('is empty when the workflow ran no remediation', () => {
    expect(actionResults(undefined)).toEqual([]);
    expect(actionResults([])).toEqual([]);
  });

  it.each<[string, ActionState, ActionResult]>([
    [
      'a swap file added and verified',
      ranAction(ADD_SWAP_STEP, ADD_SWAP_OUTPUT.done, 'Success', 0),
      {
        action: 'add-swap',
        status: 'done',
        summary: '/swapfile.oom-responder (2048 MiB) is active swap and in /etc/fstab',
        verification: 'swapon-show-lists-path',
        commandId: CMD,
        exitCode: 0,
      },
    ],
    [
      // SSM marks every exit status but 0 Failed: the result line says it was a refusal.
      'a refusal, which SSM reports as Failed',
      ranAction(ADD_SWAP_STEP, ADD_SWAP_OUTPUT.refused, 'Failed', 3),
      {
        action: 'add-swap',
        status: 'refused',
        summary: 'refused: swap is already active (/dev/xvdb); not adding more',
        verification: null,
        commandId: CMD,
        exitCode: 3,
      },
    ],
    [
      'a dry run',
      ranAction({ ...ADD_SWAP_STEP, dryRun: true }, ADD_SWAP_OUTPUT.dryRun, 'Success', 0),
      {
        action: 'add-swap',
        status: 'dry-run',
        summary: 'dry run: all checks passed; nothing was changed',
        verification: null,
        commandId: CMD,
        exitCode: 0,
      },
    ],
    [
      'a step that failed on the host',
      ranAction(ADD_SWAP_STEP, ADD_SWAP_OUTPUT.failed, 'Failed', 9),
      {
        action: 'add-swap',
        status: 'failed',
        summary: 'failed: swapon /swapfile.oom-responder failed (the kernel or this environment refused it)',
        verification: null,
        commandId: CMD,
        exitCode: 9,
      },
    ],
    [
      'a service systemd had already brought back',
      ranAction(RESTART_STEP, RESTART_OUTPUT.systemdRestarted, 'Success', 0),
      {
        action: 'restart-service',
        status: 'already-ok',
        summary: 'systemd brought orders.service back itself (NRestarts=1); nothing to do',
        verification: 'already-active',
        commandId: CMD,
        exitCode: 0,
      },
    ],
    [
      'a service still down after the restart',
      ranAction(RESTART_STEP, RESTART_OUTPUT.notActive, 'Failed', 6),
      {
        action: 'restart-service',
        status: 'failed',
        summary: 'failed: orders.service is failed/failed after the restart (Result=exit-code)',
        verification: null,
        commandId: CMD,
        exitCode: 6,
      },
    ],
    [
      'a result line without the human line before it',
      ranAction(
        RESTART_STEP,
        'result=refused reason=unit-not-loaded unit=orders.service before=- after=- nRestarts=- verification=none\n',
        'Failed',
        4,
      ),
      {
        action: 'restart-service',
        status: 'refused',
        summary: 'restart-service: refused (unit-not-loaded)',
        verification: null,
        commandId: CMD,
        exitCode: 4,
      },
    ],
  ])('reads %s from the script’s result line', (_, state, expected) => {
    expect(actionResults([state])).toEqual([expected]);
  });

  it.each<[string, ActionState, Partial<ActionResult>]>([
    [
      'a command that succeeded without printing a result line',
      {
        step: ADD_SWAP_STEP,
        command: command({ Status: 'Success', ResponseCode: 0, stdout: 'hello\n' }, CMD),
      },
      { status: 'failed', summary: 'finished without a result line', exitCode: 0, commandId: CMD },
    ],
    [
      'a command killed before its result line',
      {
        step: ADD_SWAP_STEP,
        command: command(
          { Status: 'Failed', ResponseCode: 137, stderr: 'dd: writing to /swapfile: Killed\n' },
          CMD,
        ),
      },
      {
        status: 'failed',
        summary: 'the command ended Failed with exit status 137: dd: writing to /swapfile: Killed',
        exitCode: 137,
      },
    ],
    [
      'a command still running when the workflow stopped waiting',
      {
        step: RESTART_STEP,
        command: command({ Status: 'InProgress', ResponseCode: -1, stdout: 'restart-service: orders…' }, CMD),
      },
      {
        status: 'failed',
        summary:
          'still InProgress after 3 checks, past its own time limit and its delivery; the workflow stopped waiting: check the command output',
        exitCode: null,
      },
    ],
    [
      'a command that timed out on the host',
      {
        step: RESTART_STEP,
        command: command({ Status: 'TimedOut', StatusDetails: 'Execution Timed Out', ResponseCode: -1 }, CMD),
      },
      {
        status: 'failed',
        summary: 'the command did not finish in time (Execution Timed Out)',
        exitCode: null,
      },
    ],
    [
      'a command the agent never picked up',
      {
        step: RESTART_STEP,
        command: command({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', ResponseCode: -1 }, CMD),
      },
      {
        status: 'failed',
        summary: 'SSM could not deliver the command (Delivery Timed Out); is the SSM agent running?',
      },
    ],
    [
      'a command whose invocation was never read',
      { step: RESTART_STEP, command: { commandId: CMD, polls: 0 } },
      { status: 'failed', summary: 'no command invocation was recorded', exitCode: null, commandId: CMD },
    ],
    [
      'a command SSM refused to send',
      {
        step: ADD_SWAP_STEP,
        sendError: {
          Error: 'Ssm.InvalidInstanceIdException',
          Cause: 'Instances [[i-0a1b2c3d4e5f60789]] not in a valid state for account 123456789012',
        },
      },
      {
        status: 'failed',
        summary:
          'not sent: Ssm.InvalidInstanceIdException: Instances [[i-0a1b2c3d4e5f60789]] not in a valid state for account 123456789012',
        commandId: null,
        exitCode: null,
        verification: null,
      },
    ],
  ])('reports %s as failed, in SSM’s words', (_, state, expected) => {
    const [result] = actionResults([state]);
    expect(result).toMatchObject({ action: state.step.action, ...expected });
  });

  it('reports a remediation sent but never followed to its end (the poll failed) as failed, without guessing', () => {
    const [result] = actionResults([
      {
        step: ADD_SWAP_STEP,
        command: {
          commandId: CMD,
          polls: 4,
          pollError: { Error: 'Ssm.InternalServerErrorException', Cause: 'internal' },
        },
      },
    ]);
    expect(result).toEqual({
      action: 'add-swap',
      status: 'failed',
      summary:
        'sent, but SSM did not report how it ended (Ssm.InternalServerErrorException: internal); the response stopped waiting: check the command output',
      verification: null,
      commandId: CMD,
      exitCode: null,
    });
  });

  it.each([
    [
      'a send SSM did not answer in time',
      { sendError: { Error: 'States.Timeout', Cause: '' } },
      'not sent: SSM did not answer SendCommand within its time limit (States.Timeout); not sent again, as the first may have been delivered: check the instance',
    ],
    [
      'a send refused as Ssm.SsmException, whose cause says why',
      {
        sendError: {
          Error: 'Ssm.SsmException',
          Cause: 'Rate exceeded (Service: Ssm, Status Code: 400, Error Code: ThrottlingException)',
        },
      },
      'not sent: Ssm.SsmException: Rate exceeded (Service: Ssm, Status Code: 400, Error Code: ThrottlingException)',
    ],
    [
      'a poll that timed out on every try',
      { command: { commandId: CMD, polls: 2, pollError: { Error: 'States.Timeout', Cause: '' } } },
      'sent, but SSM did not report how it ended (SSM did not answer GetCommandInvocation within its time limit, on every try (States.Timeout)); the response stopped waiting: check the command output',
    ],
    [
      'a command still running when the workflow gave up, 138 polls 10 s apart',
      {
        command: {
          ...command({ Status: 'InProgress', ResponseCode: -1 }, CMD, 138),
          timedOutWaiting: true as const,
          pollIntervalSeconds: 10,
        },
      },
      'still InProgress after about 23 minutes, past its own time limit and its delivery; the workflow stopped waiting: check the command output',
    ],
  ])('says which limit was reached for %s', (_, state, summary) => {
    const [result] = actionResults([{ step: ADD_SWAP_STEP, ...state }]);
    expect(result).toMatchObject({ status: 'failed', summary });
  });

  it('keeps the order of the remediations', () => {
    const results = actionResults([
      ranAction(ADD_SWAP_STEP, ADD_SWAP_OUTPUT.done, 'Success', 0),
      ranAction(RESTART_STEP, RESTART_OUTPUT.systemdRestarted, 'Success', 0),
    ]);
    expect(results.map((r) => [r.action, r.status])).toEqual([
      ['add-swap', 'done'],
      ['restart-service', 'already-ok'],
    ]);
  });
});
