import type { Evidence } from './evidence';

/**
 * The analysis of an incident: findings with their evidence and fix, the likely cause ranked first, and the
 * remediation plan the deployed policy allows.
 */
export type CauseFamily =
  | 'memory-leak'
  | 'jvm-heap-oversized'
  | 'container-without-limit'
  | 'cgroup-limit'
  | 'host-exhausted'
  | 'no-swap'
  | 'overcommit'
  | 'process-storm'
  | 'kernel-slab'
  | 'socket-buffers'
  | 'page-cache'
  | 'shmem-tmpfs'
  | 'kernel-memory'
  | 'critical-process-killed';

export interface Finding {
  family: CauseFamily;
  /**
   * One line: the hypothesis, e.g. "java's heap (-Xmx 6 GiB) is larger than the 4 GiB cgroup limit". What the
   * kernel states for certain (the host ran out, the limit was hit) is the message's "What happened", not this.
   */
  title: string;
  /** 0..0.95: `confidenceOf(evidence)`, never set by a detector. */
  confidence: number;
  /** The facts behind it, each one line an engineer can check, with what kind of support it is. */
  evidence: Evidence[];
  /** What to change so it does not happen again: prose, and the exact command or file to paste, if any. */
  recommendation: Advice;
}

/**
 * A next step as it is read and as it is pasted: `text` is prose (one paragraph, may quote short names in
 * backticks), `code` the exact lines to paste (a command, a drop-in's lines, a sysctl file), never flattened or
 * escaped by a renderer into something a paste would keep, `after` prose that follows the code.
 */
export interface Advice {
  text: string;
  /** Lines to paste as they are, `\n`-separated; absent when the step is prose only. */
  code?: string;
  /** Prose after the code (what it does not fix, what else to do). */
  after?: string;
}

/** What a detector returns: a finding whose confidence the analysis derives from its evidence. */
export type FindingDraft = Omit<Finding, 'confidence'>;

export type ActionName = 'add-swap' | 'restart-service';

export interface RemediationStep {
  action: ActionName;
  /** SSM document parameters, validated before sending. */
  parameters: Record<string, string>;
  dryRun: boolean;
  reason: string;
}

export interface RemediationPlan {
  steps: RemediationStep[];
  /** Remediations considered and not planned, with why (policy off, limit reached, Kubernetes node...). */
  skipped: { action: ActionName; reason: string }[];
}

export interface Analysis {
  /** Ranked: the likely cause first. */
  findings: Finding[];
  likelyCause: Finding | null;
  plan: RemediationPlan;
}

/** `done`: changed and verified; `already-ok`: nothing to do (e.g. systemd had restarted the unit). */
export type ActionStatus = 'done' | 'already-ok' | 'dry-run' | 'refused' | 'failed' | 'skipped';

export interface ActionResult {
  action: ActionName;
  status: ActionStatus;
  /** One line for people: what happened. */
  summary: string;
  /** How it was verified (`swapon --show` lists the file; the unit is active), or null. */
  verification: string | null;
  commandId: string | null;
  exitCode: number | null;
}
