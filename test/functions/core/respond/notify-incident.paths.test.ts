import { describe, expect, it } from 'vitest';
import type { RecordKillsRequest } from '../../../../functions/core/detect/ports';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { notifyIncident } from '../../../../functions/core/respond/notify-incident';
import type { ActionState, NotifyEvent } from '../../../../functions/core/workflow/state';
import { realKill, recordRequest } from '../../../support/kills';
import { COLLECTED, CONFIG, INSTANCE, payload, T0, useNotifyHarness } from './notify-harness';
import {
  ADD_SWAP_OUTPUT,
  ADD_SWAP_STEP,
  command,
  RESTART_OUTPUT,
  RESTART_STEP,
  ranAction,
} from './workflow-states';

const h = useNotifyHarness();

// Every shape the response workflow's state can take when it reaches notify (functions/core/workflow/state.ts,
// lib/workflow/response-workflow.ts) produces a message that says what happened.
describe('notifyIncident, whichever path the workflow took', () => {
  const agentOffline: Partial<NotifyEvent> = {
    diagnosticsSendError: {
      Error: 'Ssm.InvalidInstanceIdException',
      Cause: 'Instances [[i-0a1b2c3d4e5f60789]] not in a valid state for account 123456789012',
    },
  };
  const cases: [string, (request: RecordKillsRequest) => Promise<Partial<NotifyEvent>>, string[]][] = [
    [
      'diagnostics could not be sent: the agent is offline',
      async () => agentOffline,
      ['No diagnostics: the SSM agent is offline'],
    ],
    [
      'the diagnostics command failed',
      async () => ({
        diagnostics: command({
          Status: 'Failed',
          ResponseCode: 1,
          stderr: 'collect-diagnostics: Killed\n',
        }),
      }),
      ['Diagnostics failed', 'collect-diagnostics: Killed'],
    ],
    [
      'the diagnostics command timed out',
      async () => ({
        diagnostics: command({
          Status: 'TimedOut',
          StatusDetails: 'Execution Timed Out',
          ResponseCode: -1,
        }),
      }),
      ['Diagnostics timed out', 'Execution Timed Out'],
    ],
    [
      'the diagnostics command was still running',
      async () => ({ diagnostics: command({ Status: 'InProgress', ResponseCode: -1 }, undefined, 24) }),
      ['Diagnostics timed out', 'still InProgress after 24 checks'],
    ],
    [
      'the analysis failed',
      async () => ({
        ...COLLECTED,
        failure: {
          stage: 'analyze',
          error: 'Lambda.Unknown',
          cause: 'The cause could not be determined because Lambda did not return an error type.',
        },
      }),
      ['The response workflow failed at analyze: Lambda.Unknown'],
    ],
    [
      'the analysis planned nothing',
      async (request) => ({ ...COLLECTED, analysis: await h.analyzed(request, null) }),
      ['Nothing was changed on the host: the policy is to diagnose and notify only.'],
    ],
    [
      'a swap file was added',
      async (request) => ({
        ...COLLECTED,
        analysis: await h.analyzed(request),
        actions: [ranAction(ADD_SWAP_STEP, ADD_SWAP_OUTPUT.done, 'Success', 0)],
      }),
      ['/swapfile.oom-responder (2048 MiB) is active swap and in /etc/fstab'],
    ],
    [
      'the add-swap script refused',
      async (request) => ({
        ...COLLECTED,
        analysis: await h.analyzed(request),
        actions: [ranAction(ADD_SWAP_STEP, ADD_SWAP_OUTPUT.refused, 'Failed', 3)],
      }),
      ['swap is already active (/dev/xvdb); not adding more'],
    ],
    [
      'the add-swap step was a dry run',
      async (request) => ({
        ...COLLECTED,
        analysis: await h.analyzed(request, true),
        actions: [ranAction({ ...ADD_SWAP_STEP, dryRun: true }, ADD_SWAP_OUTPUT.dryRun, 'Success', 0)],
      }),
      ['dry run: all checks passed; nothing was changed'],
    ],
    [
      'the add-swap step failed',
      async (request) => ({
        ...COLLECTED,
        analysis: await h.analyzed(request),
        actions: [ranAction(ADD_SWAP_STEP, ADD_SWAP_OUTPUT.failed, 'Failed', 9)],
      }),
      ['swapon /swapfile.oom-responder failed', 'The add-swap remediation failed'],
    ],
    [
      'a remediation could not be sent',
      async (request) => ({
        ...COLLECTED,
        analysis: await h.analyzed(request),
        actions: [
          { step: ADD_SWAP_STEP, sendError: { Error: 'Ssm.InvalidDocument', Cause: 'no such document' } },
        ],
      }),
      ['not sent: Ssm.InvalidDocument'],
    ],
    [
      'the remediation step failed as a whole',
      async (request) => ({
        ...COLLECTED,
        analysis: await h.analyzed(request),
        failure: {
          stage: 'remediate',
          error: 'States.Runtime',
          cause: 'An error occurred in the Map state',
        },
      }),
      ['The response workflow failed at remediate: States.Runtime'],
    ],
  ];

  it.each(cases)('notifies when %s', async (_, build, phrases) => {
    const request = await h.incident();
    const extra = await build(request);
    const result = await notifyIncident(payload(request, extra), h.ports, CONFIG);
    expect(result.slack.status).toBe('sent');
    expect(h.slack.requests).toHaveLength(1);
    expect(validateSlackMessage(h.slack.requests[0]?.body)).toEqual([]);
    expect(h.sns.published).toHaveLength(1);
    for (const phrase of phrases) {
      expect(h.sns.published[0]?.message).toContain(phrase);
      expect(h.slackText()).toContain(JSON.stringify(phrase).slice(1, -1));
    }
  });

  it('notifies about an unresolved instance, saying nothing was sent to the host', async () => {
    const request = recordRequest(INSTANCE, [{ kill: realKill(), observedAtMs: T0 }]);
    const unresolved: RecordKillsRequest = {
      ...request,
      instanceKey: 'host:build-runner-7',
      incident: {
        ...request.incident,
        instance: {
          ...request.incident.instance,
          instanceId: null,
          hostname: 'build-runner-7',
          resolvedBy: 'unresolved',
        },
      },
    };
    await h.store.recordKills(unresolved);
    const result = await notifyIncident(
      payload(unresolved, { instanceId: null, diagnostics: { unresolved: true } }),
      h.ports,
      CONFIG,
    );
    expect(result.slack.status).toBe('sent');
    expect(validateSlackMessage(h.slack.requests[0]?.body)).toEqual([]);
    expect(h.sns.published[0]?.message).toContain('Instance not resolved (seen as build-runner-7');
    expect(h.sns.published[0]?.messageAttributes.instance?.StringValue).toBe('build-runner-7');
    expect(h.slackText()).toContain('nothing was sent to the host');
  });

  it('counts each remediation by its outcome', async () => {
    const request = await h.incident();
    const actions: ActionState[] = [
      ranAction(ADD_SWAP_STEP, ADD_SWAP_OUTPUT.done, 'Success', 0),
      ranAction(RESTART_STEP, RESTART_OUTPUT.systemdRestarted, 'Success', 0),
      ranAction(RESTART_STEP, RESTART_OUTPUT.notActive, 'Failed', 6),
    ];
    await notifyIncident(payload(request, { ...COLLECTED, actions }), h.ports, CONFIG);
    expect(
      Object.fromEntries([...h.telemetry.counts].filter(([name]) => name.startsWith('Remediation'))),
    ).toEqual({
      RemediationDone: 1,
      RemediationAlreadyOk: 1,
      RemediationFailed: 1,
    });
  });
});
