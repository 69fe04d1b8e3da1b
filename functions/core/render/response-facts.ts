import { asAdvice } from '../analysis/advice';
import type { Evidence, EvidenceKind } from '../analysis/evidence';
import type { ActionName, ActionStatus, Advice, Analysis } from '../analysis/model';
import type { DiagnosticsSummary } from '../diagnostics/model';
import { formatKiB } from '../format/bytes';
import { formatLimitBytes, isUnlimitedBytes } from '../format/limits';
import type { ResponseOutcome } from '../incident/outcome';
import { adviceView } from './advice-view';
import { ASSUMED_PAGE_KIB } from './kill-facts';
import { oneLine } from './text-fit';

export interface CauseView {
  /** `Likely cause` when the analysis chose one; `Possible cause` for its top finding when it did not. */
  label: 'Likely cause' | 'Possible cause';
  title: string;
  /** 0..100, or null when the finding gave none. */
  confidencePercent: number | null;
  /** What the confidence rests on: `2 kernel facts, 1 measurement`, or `no supporting evidence`. */
  basis: string;
  evidence: EvidenceLine[];
  /** The finding's recommendation: prose on one line, its code line for line. */
  fix: Advice;
}

/** One evidence line with the tag that says what kind of support it is (`kernel`, `measured`...), or none. */
export interface EvidenceLine {
  tag: string | null;
  text: string;
}

/** How each kind is tagged in a message; context carries no weight and no tag. */
export const EVIDENCE_TAGS: Record<EvidenceKind, string | null> = {
  kernel: 'kernel',
  measured: 'measured',
  inferred: 'inferred',
  contradicts: 'against',
  context: null,
};

export interface ActionLine {
  /** `planned`: a dry-run step of the plan with no result reported. `not-planned`: considered, policy said no. */
  status: ActionStatus | 'planned' | 'not-planned';
  action: ActionName;
  text: string;
  verification: string | null;
}

export interface ProcessLine {
  pid: number;
  rss: string;
  name: string;
  command: string;
}

/** The label of `OutcomeView.filledBy`: the report's breakdown, as against the diagnostics' "Memory at diagnosis". */
export const FILLED_BY_LABEL = 'Memory at the kill';

/** Statuses in words, for people. */
export const STATUS_WORDS: Record<ActionLine['status'], string> = {
  done: 'done',
  'already-ok': 'already OK',
  'dry-run': 'dry run',
  planned: 'planned, no result',
  refused: 'refused',
  failed: 'FAILED',
  skipped: 'skipped',
  'not-planned': 'not planned',
};

export const ACTION_NAMES: Record<ActionName, string> = {
  'add-swap': 'Add swap',
  'restart-service': 'Restart service',
};

export function causeView(analysis: Analysis | null): CauseView | null {
  const cause = analysis?.likelyCause ?? analysis?.findings[0] ?? null;
  if (!cause) return null;
  return {
    label: analysis?.likelyCause ? 'Likely cause' : 'Possible cause',
    title: oneLine(cause.title),
    confidencePercent: Number.isFinite(cause.confidence)
      ? Math.round(Math.min(1, Math.max(0, cause.confidence)) * 100)
      : null,
    basis: basisOf(cause.evidence),
    evidence: cause.evidence
      .map((item) => ({ tag: EVIDENCE_TAGS[item.kind] ?? null, text: oneLine(item.text) }))
      .filter((line) => line.text.length > 0),
    fix: adviceView(asAdvice(cause.recommendation)),
  };
}

const BASIS_WORDS: readonly [EvidenceKind, string, string][] = [
  ['kernel', 'kernel fact', 'kernel facts'],
  ['measured', 'measurement', 'measurements'],
  ['inferred', 'inference', 'inferences'],
  ['contradicts', 'fact against', 'facts against'],
];

/** `2 kernel facts, 1 measurement`: what a confidence was derived from (see `confidenceOf`). */
export function basisOf(evidence: readonly Evidence[]): string {
  const parts = BASIS_WORDS.flatMap(([kind, one, many]) => {
    const n = evidence.filter((item) => item.kind === kind).length;
    return n === 0 ? [] : [`${n} ${n === 1 ? one : many}`];
  });
  return parts.length > 0 ? parts.join(', ') : 'no supporting evidence';
}

export function otherFindings(analysis: Analysis | null): string[] {
  if (!analysis) return [];
  const first = analysis.likelyCause ?? analysis.findings[0];
  return analysis.findings
    .filter((finding) => finding !== first && finding.title !== first?.title)
    .map((f) => oneLine(f.title));
}

/** What was done, what a dry-run would do, and what policy ruled out, in that order. */
export function actionLines(outcome: ResponseOutcome): ActionLine[] {
  const done: ActionLine[] = outcome.actions.map((result) => ({
    status: result.status,
    action: result.action,
    text: oneLine(result.summary),
    verification: result.verification ? oneLine(result.verification) : null,
  }));
  const reported = new Set(outcome.actions.map((result) => result.action));
  const plan = outcome.analysis?.plan;
  const planned: ActionLine[] = (plan?.steps ?? [])
    .filter((step) => !reported.has(step.action))
    .map((step) => ({
      status: 'planned',
      action: step.action,
      text: oneLine(`${step.dryRun ? 'dry-run: would ' : 'planned: '}${step.reason}`),
      verification: null,
    }));
  const skipped: ActionLine[] = (plan?.skipped ?? [])
    .filter((item) => !reported.has(item.action))
    .map((item) => ({
      status: 'not-planned',
      action: item.action,
      text: oneLine(item.reason),
      verification: null,
    }));
  return [...done, ...planned, ...skipped];
}

/** "Total 7.6 GiB · available 180 MiB (2%) · swap none": the host as the diagnostics found it. */
export function memoryLine(summary: DiagnosticsSummary | null): string | null {
  if (!summary) return null;
  const { totalKb, availableKb, swapTotalKb, swapFreeKb } = summary.memory;
  const parts: string[] = [];
  if (totalKb !== null) parts.push(`total ${formatKiB(totalKb)}`);
  if (availableKb !== null) {
    const share = totalKb ? ` (${Math.round((availableKb / totalKb) * 100)}%)` : '';
    parts.push(`available ${formatKiB(availableKb)}${share}`);
  }
  if (swapTotalKb !== null) {
    parts.push(
      swapTotalKb === 0
        ? 'swap none'
        : `swap ${formatKiB(swapTotalKb)}${swapFreeKb === null ? '' : `, ${formatKiB(swapTotalKb - swapFreeKb)} used`}`,
    );
  }
  if (summary.load && summary.cpuCount)
    parts.push(`load ${summary.load[0].toFixed(1)} on ${summary.cpuCount} CPUs`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** The killed unit and cgroup as they are now: did systemd bring the service back? */
export function stateLines(summary: DiagnosticsSummary | null): string[] {
  if (!summary) return [];
  const lines: string[] = [];
  const unit = summary.unit;
  if (unit) {
    const state = [unit.activeState, unit.subState ? `(${unit.subState})` : null].filter(Boolean).join(' ');
    const restarts = unit.nRestarts ? `, ${unit.nRestarts} restarts` : '';
    const result = unit.result && unit.result !== 'success' ? `, last result ${unit.result}` : '';
    const max = unit.memoryMaxBytes === null ? '' : `, MemoryMax ${formatLimitBytes(unit.memoryMaxBytes)}`;
    lines.push(oneLine(`${unit.name}: ${state || 'state unknown'}${restarts}${result}${max}`));
  }
  const cgroup = summary.cgroup;
  if (cgroup && (cgroup.limitBytes !== null || cgroup.oomKills !== null)) {
    const usage = cgroup.usageBytes === null ? '' : `${formatKiB(cgroup.usageBytes / 1024)} of `;
    const limit =
      cgroup.limitBytes === null || isUnlimitedBytes(cgroup.limitBytes)
        ? 'no limit'
        : `${formatKiB(cgroup.limitBytes / 1024)} limit`;
    const kills = cgroup.oomKills ? `, ${cgroup.oomKills} OOM kills counted` : '';
    lines.push(oneLine(`cgroup ${cgroup.path}: ${usage}${limit}${kills}`));
  }
  if (summary.kubernetes) lines.push('Kubernetes node: restarts are left to the kubelet; no swap is added.');
  return lines;
}

/** Largest processes: from the diagnostics when collected, else from the kernel's task table at the kill. */
export function topProcesses(outcome: ResponseOutcome): {
  source: 'diagnostics' | 'kernel';
  lines: ProcessLine[];
} {
  const summary = outcome.diagnostics.summary;
  if (summary && summary.topProcesses.length > 0) {
    return {
      source: 'diagnostics',
      lines: [...summary.topProcesses]
        .sort((a, b) => b.rssKb - a.rssKb)
        .map((p) => ({
          pid: p.pid,
          rss: formatKiB(p.rssKb),
          name: oneLine(p.comm),
          command: oneLine(p.cmdline),
        })),
    };
  }
  const tasks = outcome.incident.firstKill.tasks.filter((task) => task.rssPages !== null);
  return {
    source: 'kernel',
    lines: [...tasks]
      .sort((a, b) => (b.rssPages ?? 0) - (a.rssPages ?? 0))
      .map((task) => ({
        pid: task.pid,
        rss: formatKiB((task.rssPages ?? 0) * ASSUMED_PAGE_KIB),
        name: oneLine(task.name),
        command: '',
      })),
  };
}
