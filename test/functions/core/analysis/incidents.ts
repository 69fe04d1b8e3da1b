import { readFileSync } from 'node:fs';
import { analyze, type RecentAction } from '../../../../functions/core/analysis';
import type { Analysis, CauseFamily, Finding } from '../../../../functions/core/analysis/model';
import type { DiagnosticsSummary } from '../../../../functions/core/diagnostics/model';
import { newIncident } from '../../../../functions/core/incident/build';
import type { Incident, InstanceRef, PriorKill } from '../../../../functions/core/incident/model';
import { type Kill, parseKernelLog } from '../../../../functions/core/kernel-log';
import type { MemoryTimeline } from '../../../../functions/core/metrics/memory-timeline';
import { DEFAULT_POLICY, type Policy } from '../../../../functions/core/policy/policy';
import { CORPUS_REFERENCE_DATE, KERNEL_CORPUS } from '../../../support/corpus';

/** The time the analysis runs in these tests: a few minutes after the corpus reference date's kills. */
export const NOW = '2026-11-25T17:35:00Z';

/** An instance the detector resolved from the CloudWatch agent's stream name. */
export const INSTANCE: InstanceRef = {
  instanceId: 'i-0a1b2c3d4e5f67890',
  hostname: 'ip-10-0-1-23',
  privateIp: '10.0.1.23',
  instanceType: 't3.large',
  availabilityZone: 'us-east-1a',
  name: 'web-1',
  resolvedBy: 'stream-name',
};

/** Every kill of a real kernel log from the corpus (`legacy/...log`), parsed as the detector does. */
export function killsOf(fixture: string): Kill[] {
  const text = readFileSync(`${KERNEL_CORPUS}${fixture}`, 'utf8');
  return parseKernelLog(text, { referenceDate: CORPUS_REFERENCE_DATE });
}

export interface IncidentOptions {
  /** Which kill of the log opens the incident. @default 0 */
  index?: number;
  instance?: Partial<InstanceRef>;
  history?: PriorKill[];
}

/** An incident opened by a real kernel report from the corpus, as `newIncident` builds it in the detector. */
export function incidentFrom(fixture: string, options: IncidentOptions = {}): Incident {
  return incidentFromText(readFileSync(`${KERNEL_CORPUS}${fixture}`, 'utf8'), options, fixture);
}

/** The same from a log's text: a real report with a line changed, which a test names as such. */
export function incidentFromText(text: string, options: IncidentOptions = {}, name = 'the log'): Incident {
  const kill = parseKernelLog(text, { referenceDate: CORPUS_REFERENCE_DATE })[options.index ?? 0];
  if (!kill) throw new Error(`no kill #${options.index ?? 0} in ${name}`);
  return newIncident({
    kill,
    hostKey: kill.hostname ?? INSTANCE.hostname ?? 'host',
    instance: { ...INSTANCE, ...options.instance },
    source: {
      logGroup: '/ec2/kernel',
      logStream: INSTANCE.instanceId,
      accountId: '111122223333',
      region: 'us-east-1',
    },
    now: NOW,
    history: options.history ?? [],
  });
}

export interface AnalyzeOptions {
  policy?: Policy;
  recentActions?: RecentAction[];
  now?: string;
  memoryTimeline?: MemoryTimeline | null;
}

/** `analyze` with the default policy, no recent actions and `NOW` unless a case says otherwise. */
export function analyzeIncident(
  incident: Incident,
  diagnostics: DiagnosticsSummary | null,
  options: AnalyzeOptions = {},
): Analysis {
  return analyze({
    incident,
    diagnostics,
    policy: options.policy ?? DEFAULT_POLICY,
    recentActions: options.recentActions ?? [],
    now: options.now ?? NOW,
    memoryTimeline: options.memoryTimeline ?? null,
  });
}

/** The finding of one family, or undefined. */
export function findingOf(analysis: Analysis, family: CauseFamily): Finding | undefined {
  return analysis.findings.find((finding) => finding.family === family);
}

/** The families in ranked order: what a ranking test compares. */
export function families(analysis: Analysis): CauseFamily[] {
  return analysis.findings.map((finding) => finding.family);
}

/** A finding's evidence lines as text, for tests that read what the message says. */
export function evidenceTexts(finding: Pick<Finding, 'evidence'> | null | undefined): string[] {
  return finding?.evidence.map((item) => item.text) ?? [];
}
