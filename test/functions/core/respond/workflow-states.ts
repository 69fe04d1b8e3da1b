import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { ActionState, CommandStateSchema, PlannedStep } from '../../../../functions/core/workflow/state';

/**
 * Pieces of the response workflow's state as the state machine builds them (lib/workflow): SSM command states
 * (`{commandId, polls, invocation}` with GetCommandInvocation's fields), the planned steps the analyze Lambda
 * returns, and the remediation scripts' real output lines (lib/ssm/scripts, docs/ssm-documents.md).
 */
type CommandState = z.infer<typeof CommandStateSchema>;

/**
 * The real stdout of collect-diagnostics on a Debian 12 host (see test/fixtures/diagnostics/SOURCES.md), from a
 * script older than the kill confirmation: a summary without `kill.confirmation`, so nothing may be planned on it.
 */
export const DIAGNOSTICS_STDOUT = readFileSync(
  new URL('../../../fixtures/diagnostics/collect-diagnostics-debian12-cgroup-v1.stdout', import.meta.url),
  'utf8',
);

/** The same host's real stdout from today's script, which found the reported kill in `dmesg -k`. */
export const CONFIRMED_DIAGNOSTICS_STDOUT = readFileSync(
  new URL(
    '../../../fixtures/diagnostics/collect-diagnostics-debian12-cgroup-v1-confirmed.stdout',
    import.meta.url,
  ),
  'utf8',
);

export const ADD_SWAP_STEP: PlannedStep = {
  action: 'add-swap',
  documentName: 'OomResponder-AddSwap-1A2B3C4D5E6F',
  parameters: {
    sizeMiB: ['2048'],
    path: ['/swapfile.oom-responder'],
    maxDiskSharePercent: ['25'],
    dryRun: ['false'],
  },
  dryRun: false,
  reason: 'add a 2 GiB swap file at /swapfile.oom-responder: no swap is active',
};

export const RESTART_STEP: PlannedStep = {
  action: 'restart-service',
  documentName: 'OomResponder-RestartService-1A2B3C4D5E6F',
  parameters: { unit: ['orders.service'], dryRun: ['false'] },
  dryRun: false,
  reason: 'restart orders.service: the OOM killer took it, and it is on the allow-list',
};

/** What add-swap prints, by outcome (the human line, then the result line). */
export const ADD_SWAP_OUTPUT = {
  done: [
    'Setting up swapspace version 1, size = 2 GiB (2147479552 bytes)',
    'no label, UUID=0b3c7c0e-6f55-4d0b-9a55-7f7f2b9e6a01',
    'NAME                    TYPE SIZE USED PRIO',
    '/swapfile.oom-responder file   2G   0B   -2',
    'add-swap: /swapfile.oom-responder (2048 MiB) is active swap and in /etc/fstab',
    'result=done reason=none path=/swapfile.oom-responder sizeMiB=2048 verification=swapon-show-lists-path',
    '',
  ].join('\n'),
  refused: [
    'add-swap: refused: swap is already active (/dev/xvdb); not adding more',
    'result=refused reason=swap-active path=/swapfile.oom-responder sizeMiB=2048 verification=none',
    '',
  ].join('\n'),
  dryRun: [
    'add-swap: would run: dd if=/dev/zero of=/swapfile.oom-responder bs=1M count=2048; chmod 600 /swapfile.oom-responder; mkswap /swapfile.oom-responder',
    'add-swap: would run: swapon /swapfile.oom-responder; then add "/swapfile.oom-responder none swap defaults 0 0" to /etc/fstab (unless there)',
    'add-swap: dry run: all checks passed; nothing was changed',
    'result=dry-run reason=none path=/swapfile.oom-responder sizeMiB=2048 verification=none',
    '',
  ].join('\n'),
  failed: [
    'add-swap: failed: swapon /swapfile.oom-responder failed (the kernel or this environment refused it)',
    'result=failed reason=swapon-failed path=/swapfile.oom-responder sizeMiB=2048 verification=none',
    '',
  ].join('\n'),
} as const;

export const RESTART_OUTPUT = {
  systemdRestarted: [
    'restart-service: orders.service: LoadState=loaded ActiveState=active SubState=running Result=success NRestarts=1',
    'restart-service: systemd brought orders.service back itself (NRestarts=1); nothing to do',
    'result=already-ok reason=systemd-restarted unit=orders.service before=active/running after=active/running nRestarts=1 verification=already-active',
    '',
  ].join('\n'),
  notActive: [
    'restart-service: orders.service: LoadState=loaded ActiveState=failed SubState=failed Result=oom-kill NRestarts=0',
    'restart-service: failed: orders.service is failed/failed after the restart (Result=exit-code)',
    'result=failed reason=not-active unit=orders.service before=failed/failed after=failed/failed nRestarts=0 verification=none',
    '',
  ].join('\n'),
} as const;

/** A command the workflow sent and polled, with what GetCommandInvocation said last. */
export function command(
  invocation: {
    Status: string;
    StatusDetails?: string;
    ResponseCode?: number;
    stdout?: string;
    stderr?: string;
  },
  commandId = 'a1b2c3d4-5678-90ab-cdef-111111111111',
  polls = 3,
): CommandState {
  return {
    commandId,
    polls,
    invocation: {
      Status: invocation.Status,
      StatusDetails: invocation.StatusDetails ?? invocation.Status,
      ...(invocation.ResponseCode === undefined ? {} : { ResponseCode: invocation.ResponseCode }),
      StandardOutputContent: invocation.stdout ?? '',
      StandardErrorContent: invocation.stderr ?? '',
    },
  };
}

/** A remediation that ran to its result line. */
export function ranAction(
  step: PlannedStep,
  stdout: string,
  status: 'Success' | 'Failed',
  exitCode: number,
  commandId = 'c0ffee00-1234-4abc-8def-222222222222',
): ActionState {
  return { step, command: command({ Status: status, ResponseCode: exitCode, stdout }, commandId) };
}
