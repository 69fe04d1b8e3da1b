import type { SsmDocumentKind } from './parameter-specs';

/**
 * What each script's exit status means. SSM reports it as the invocation's `ResponseCode`, and any status but 0
 * makes the invocation `Failed`, refusals included. The result line on stdout says the same in words (its
 * `reason=` is one of `reasons`); these tables are for when stdout is missing or cut. Tests drive every path of
 * the real scripts and check both against these tables.
 */
export interface ExitStatusMeaning {
  result: 'ok' | 'refused' | 'failed';
  /** The result line's `reason=` codes this status comes with. */
  reasons: readonly string[];
  meaning: string;
}

export const COLLECT_DIAGNOSTICS_EXIT_STATUSES: Readonly<Record<number, ExitStatusMeaning>> = {
  0: { result: 'ok', reasons: [], meaning: 'collected (probes that failed are listed in the summary)' },
  2: { result: 'refused', reasons: ['invalid-parameter'], meaning: 'a parameter does not match its pattern' },
};

export const ADD_SWAP_EXIT_STATUSES: Readonly<Record<number, ExitStatusMeaning>> = {
  0: { result: 'ok', reasons: ['none', 'already-active'], meaning: 'done, already active, or dry run' },
  2: { result: 'refused', reasons: ['invalid-parameter'], meaning: 'a parameter does not match its pattern' },
  3: { result: 'refused', reasons: ['swap-active'], meaning: 'another swap area is already active' },
  4: {
    result: 'refused',
    reasons: ['disk-headroom'],
    meaning: 'the file would take more than its share of free space',
  },
  5: { result: 'refused', reasons: ['kubernetes-node'], meaning: 'a kubelet runs here or is configured' },
  6: { result: 'refused', reasons: ['unsupported-filesystem'], meaning: 'not ext2/3/4 or XFS' },
  7: {
    result: 'refused',
    reasons: ['path-exists', 'parent-missing'],
    meaning: 'the path is taken (not a swap file of that size) or its directory is missing',
  },
  8: { result: 'refused', reasons: ['not-root'], meaning: 'must run as root (dry runs need not)' },
  9: {
    result: 'failed',
    reasons: ['dd-failed', 'chmod-failed', 'mkswap-failed', 'swapon-failed', 'fstab-failed'],
    meaning: 'a step failed; a file this run created is removed again',
  },
  10: { result: 'failed', reasons: ['verification-failed'], meaning: 'swapon --show does not list the file' },
  11: { result: 'refused', reasons: ['drill'], meaning: 'a drill: a drill never changes a host' },
};

export const RESTART_SERVICE_EXIT_STATUSES: Readonly<Record<number, ExitStatusMeaning>> = {
  0: {
    result: 'ok',
    reasons: ['none', 'already-active', 'systemd-restarted', 'systemd-unavailable'],
    meaning: 'restarted, already active again, or dry run (also where systemd does not answer)',
  },
  2: { result: 'refused', reasons: ['invalid-parameter'], meaning: 'a parameter does not match its pattern' },
  3: {
    result: 'refused',
    reasons: ['protected-unit'],
    meaning: 'never restarted automatically (SSM agent, sshd...)',
  },
  4: { result: 'refused', reasons: ['unit-not-loaded'], meaning: 'the unit is not found, masked or broken' },
  5: { result: 'failed', reasons: ['restart-failed'], meaning: 'systemctl restart failed' },
  6: { result: 'failed', reasons: ['not-active'], meaning: 'not active (or not for long) after waiting' },
  7: {
    result: 'failed',
    reasons: ['systemd-unavailable'],
    meaning: 'no systemctl, or systemd did not answer',
  },
  8: {
    result: 'refused',
    reasons: ['user-unit'],
    meaning: "the killed task ran under a user's manager (user@<uid>.service), never restarted from here",
  },
  9: { result: 'refused', reasons: ['drill'], meaning: 'a drill: a drill never changes a host' },
};

export const EXIT_STATUSES: { readonly [K in SsmDocumentKind]: Readonly<Record<number, ExitStatusMeaning>> } =
  {
    'collect-diagnostics': COLLECT_DIAGNOSTICS_EXIT_STATUSES,
    'add-swap': ADD_SWAP_EXIT_STATUSES,
    'restart-service': RESTART_SERVICE_EXIT_STATUSES,
  };
