import { describe, expect, it } from 'vitest';
import type { DiagnosticsOutcome } from '../../../../functions/core/incident/outcome';
import { diagnosticsOutcome } from '../../../../functions/core/respond/diagnostics-outcome';
import type { AnalyzeEvent } from '../../../../functions/core/workflow/state';
import { command, DIAGNOSTICS_STDOUT } from './workflow-states';

const INCIDENT = 'oom-20261125T182814-0123456789abcdef';
const CMD = 'a1b2c3d4-5678-90ab-cdef-111111111111';
const BUCKET = 'oomresponder-diagnostics-123456789012';

/** The workflow's input as the detector starts it, with what the diagnostics steps added. */
function event(extra: Partial<AnalyzeEvent> = {}): AnalyzeEvent {
  return {
    incidentId: INCIDENT,
    instanceId: 'i-0a1b2c3d4e5f60789',
    killTime: '2026-11-25T18:28:14.750Z',
    pid: '6436',
    process: 'oomr-fixture',
    unit: 'oomr-fixture.service',
    memcgPath: '/process_api/8dc1f9a302eb15367865117e7f6656a9/oom-responder-6377-mwwgif5m',
    processHex: '6f6f6d722d66697874757265',
    kernelTime: '',
    killer: 'kernel',
    ...extra,
  };
}

const NOTHING = { summary: null, commandId: null, outputS3Uri: null };
const S3 = `s3://${BUCKET}/diagnostics/${INCIDENT}/${CMD}/`;

describe('diagnosticsOutcome', () => {
  it('parses the summary of a collected command, and points at its full output in S3', () => {
    const outcome = diagnosticsOutcome(
      event({ diagnostics: command({ Status: 'Success', ResponseCode: 0, stdout: DIAGNOSTICS_STDOUT }) }),
      BUCKET,
    );
    expect(outcome).toMatchObject({ status: 'collected', detail: null, commandId: CMD, outputS3Uri: S3 });
    expect(outcome.summary).toMatchObject({
      hostname: 'vm',
      kernelRelease: '6.18.44-fc-v782',
      cpuCount: 2,
      memory: { totalKb: 24_683_620, swapTotalKb: 0 },
      disk: { path: '/', fsType: 'ext4' },
      kubernetes: false,
    });
    expect(outcome.summary?.topProcesses.length).toBeGreaterThan(0);
  });

  it('leaves the S3 location out when no bucket is configured', () => {
    const outcome = diagnosticsOutcome(
      event({ diagnostics: command({ Status: 'Success', ResponseCode: 0, stdout: DIAGNOSTICS_STDOUT }) }),
      null,
    );
    expect(outcome.status).toBe('collected');
    expect(outcome.outputS3Uri).toBeNull();
  });

  it.each<[string, Partial<AnalyzeEvent>, DiagnosticsOutcome]>([
    [
      'an unresolved instance',
      { instanceId: null, diagnostics: { unresolved: true } },
      {
        ...NOTHING,
        status: 'unmanaged',
        detail: 'the log did not say which EC2 instance this is, so nothing was sent to the host',
      },
    ],
    [
      'a send refused because the instance is not reachable by SSM',
      {
        diagnosticsSendError: {
          Error: 'Ssm.InvalidInstanceIdException',
          Cause: 'Instances [[i-0a1b2c3d4e5f60789]] not in a valid state for account 123456789012',
        },
      },
      {
        ...NOTHING,
        status: 'agent-offline',
        detail:
          'SSM does not reach the instance: its agent is not running or not registered, or the instance is stopped (Ssm.InvalidInstanceIdException: Instances [[i-0a1b2c3d4e5f60789]] not in a valid state for account 123456789012)',
      },
    ],
    [
      'a send whose cause names an invalid instance id',
      {
        diagnosticsSendError: {
          Error: 'Ssm.SsmException',
          Cause: 'InvalidInstanceId: i-0a1b2c3d4e5f60789 (Service: Ssm, Status Code: 400)',
        },
      },
      {
        ...NOTHING,
        status: 'agent-offline',
        detail:
          'SSM does not reach the instance: its agent is not running or not registered, or the instance is stopped (Ssm.SsmException: InvalidInstanceId: i-0a1b2c3d4e5f60789 (Service: Ssm, Status Code: 400))',
      },
    ],
    [
      'a send denied by the tag condition',
      {
        diagnosticsSendError: {
          Error: 'Ssm.AccessDeniedException',
          Cause:
            'User: arn:aws:sts::123456789012:assumed-role/OomResponderWorkflowRole/x is not authorized to perform: ssm:SendCommand',
        },
      },
      {
        ...NOTHING,
        status: 'unmanaged',
        detail:
          'the instance is not in scope (it lacks the OOM Responder tag), so no command was sent (Ssm.AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/OomResponderWorkflowRole/x is not authorized to perform: ssm:SendCommand)',
      },
    ],
    [
      'a send that failed some other way',
      { diagnosticsSendError: { Error: 'Ssm.ThrottlingException', Cause: 'Rate exceeded' } },
      { ...NOTHING, status: 'failed', detail: 'SendCommand failed: Ssm.ThrottlingException (Rate exceeded)' },
    ],
    [
      'a send SSM did not answer in time (its cause is empty, as Step Functions gives it)',
      { diagnosticsSendError: { Error: 'States.Timeout', Cause: '' } },
      {
        ...NOTHING,
        status: 'failed',
        detail:
          'SSM did not answer SendCommand within its time limit (States.Timeout); it was not sent again, as the first may have been delivered',
      },
    ],
    [
      'no diagnostics step at all',
      {},
      // Only the backstop for executions that ended unnotified comes without them.
      {
        ...NOTHING,
        status: 'skipped',
        detail: 'no diagnostics result reached the notifier (see the execution)',
      },
    ],
  ])('says why there are none for %s', (_, extra, expected) => {
    expect(diagnosticsOutcome(event(extra), BUCKET)).toEqual(expected);
  });

  it.each<[string, Parameters<typeof command>[0], Pick<DiagnosticsOutcome, 'status' | 'detail'>]>([
    [
      'a command that failed on the host',
      {
        Status: 'Failed',
        ResponseCode: 2,
        stdout: 'result=refused reason=invalid-parameter parameter=unit\n',
        stderr: 'collect-diagnostics: refused: parameter unit does not match its allowed pattern\n',
      },
      {
        status: 'failed',
        detail:
          'the command ended Failed with exit status 2: collect-diagnostics: refused: parameter unit does not match its allowed pattern',
      },
    ],
    [
      'a command that ran out of time',
      { Status: 'TimedOut', StatusDetails: 'Execution Timed Out', ResponseCode: -1 },
      { status: 'timed-out', detail: 'the command did not finish in time (Execution Timed Out)' },
    ],
    [
      'a command the agent never picked up',
      { Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', ResponseCode: -1 },
      {
        status: 'agent-offline',
        detail: 'SSM could not deliver the command (Delivery Timed Out); is the SSM agent running?',
      },
    ],
    [
      'a command SSM could not deliver',
      { Status: 'Failed', StatusDetails: 'Undeliverable', ResponseCode: -1 },
      {
        status: 'agent-offline',
        detail: 'SSM could not deliver the command (Undeliverable); is the SSM agent running?',
      },
    ],
    [
      'a command cancelled',
      { Status: 'Cancelled', ResponseCode: -1 },
      { status: 'failed', detail: 'the command ended Cancelled' },
    ],
    [
      'a command that succeeded without a summary',
      { Status: 'Success', ResponseCode: 0, stdout: 'bash: collect-diagnostics.sh: No such file\n' },
      {
        status: 'failed',
        detail:
          'the output held no summary: no "=== oom-responder summary v1 ===" line in the diagnostics output (it starts "bash: collect-diagnostics.sh: No such file\\n")',
      },
    ],
  ])('reports %s with SSM’s words', (_, invocation, expected) => {
    const outcome = diagnosticsOutcome(event({ diagnostics: command(invocation, CMD) }), BUCKET);
    expect(outcome).toEqual({ ...expected, summary: null, commandId: CMD, outputS3Uri: S3 });
  });

  it('reports a command still running after every poll as timed out, saying the response stopped waiting', () => {
    const outcome = diagnosticsOutcome(
      event({ diagnostics: command({ Status: 'InProgress', ResponseCode: -1 }, CMD, 24) }),
      BUCKET,
    );
    expect(outcome).toEqual({
      status: 'timed-out',
      summary: null,
      detail:
        'the command was still InProgress after 24 checks, past its own time limit and its delivery; the response stopped waiting for it (it may still finish: see its output in S3)',
      commandId: CMD,
      outputS3Uri: S3,
    });
  });

  it.each([
    [60, 5, 'about 5 minutes'],
    [20, 5, '100 seconds'],
    [138, 10, 'about 23 minutes'],
  ])(
    'says how long it waited when the workflow gave up after %i polls %i s apart: %s',
    (polls, interval, words) => {
      const diagnostics = {
        ...command({ Status: 'InProgress', ResponseCode: -1 }, CMD, polls),
        timedOutWaiting: true as const,
        pollIntervalSeconds: interval,
      };
      const outcome = diagnosticsOutcome(event({ diagnostics }), BUCKET);
      expect(outcome).toMatchObject({ status: 'timed-out', commandId: CMD });
      expect(outcome.detail).toContain(`still InProgress after ${words}, past its own time limit`);
      expect(outcome.detail).toContain('the response stopped waiting for it');
    },
  );

  it('reports a command whose status SSM would not give (throttled past the retries) as failed, with the error', () => {
    const outcome = diagnosticsOutcome(
      event({
        diagnostics: {
          commandId: CMD,
          polls: 2,
          pollError: { Error: 'Ssm.SsmException', Cause: 'Rate exceeded (Service: Ssm, Status Code: 400)' },
        },
      }),
      BUCKET,
    );
    expect(outcome).toEqual({
      status: 'failed',
      summary: null,
      detail:
        "SSM did not report the command's status (Ssm.SsmException: Rate exceeded (Service: Ssm, Status Code: 400)); the response stopped waiting, and the command may still have run: see its output in S3",
      commandId: CMD,
      outputS3Uri: S3,
    });
  });

  it('says SSM did not answer in time when every poll timed out, not "States.Timeout: "', () => {
    const outcome = diagnosticsOutcome(
      event({ diagnostics: { commandId: CMD, polls: 3, pollError: { Error: 'States.Timeout', Cause: '' } } }),
      BUCKET,
    );
    expect(outcome.detail).toBe(
      'SSM did not answer GetCommandInvocation within its time limit, on every try (States.Timeout); the response stopped waiting, and the command may still have run: see its output in S3',
    );
  });

  it('reports a command whose invocation was never read as failed', () => {
    const outcome = diagnosticsOutcome(event({ diagnostics: { commandId: CMD, polls: 0 } }), BUCKET);
    expect(outcome).toMatchObject({ status: 'failed', detail: 'no command invocation was recorded' });
  });
});
