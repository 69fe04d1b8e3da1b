import type { Advice } from '../analysis/model';
import { formatKiB } from '../format/bytes';
import { type Provenance, provenanceNotice, provenanceTag } from '../incident/provenance';
import type { PressureOutcome } from '../pressure/outcome';
import { adviceView } from './advice-view';
import type { LinkView } from './incident-links';
import type { Fact } from './kill-facts';
import { pressureSteps } from './pressure-advice';
import { pressureDone } from './pressure-done';
import {
  growerDetail,
  growerText,
  percentText,
  projectionText,
  stallText,
  whenText,
} from './pressure-figures';
import { pressureLinks } from './pressure-links';
import { mapStrings, redact } from './redaction/redact';
import { clean, oneLine, present } from './text-fit';

/**
 * Everything a pressure renderer shows, worked out once from the outcome: redacted whole first, so no renderer
 * can show a secret; every value plain text, escaped and fitted by each channel its own way.
 */
export interface PressureView {
  incidentId: string;
  severity: 'warning';
  /** `i-0abc1234def567890 (ip-10-0-1-23)`. */
  host: string;
  /**
   * `OOM likely on i-0abc (web-3) in about 40 min: java (pid 4242) grew 1.2 GiB/h; 6 % available; swap none`:
   * every channel's title.
   */
  title: string;
  /** The grower's name, for routing attributes; null when none is known. */
  process: string | null;
  /** Whether the host's own reading confirms the alarm. */
  confirmation: 'confirmed' | 'not-confirmed' | 'unknown';
  tag: string | null;
  provenance: Provenance | null;
  notices: string[];
  /** The alarm, the host's reading at diagnosis, the projections, PSI, the grower. */
  measured: Fact[];
  /** The largest processes' smaps_rollup, one line each. */
  top: string[];
  nextSteps: Advice[];
  /** What the pipeline did: the diagnostics, the preventive swap. */
  done: string[];
  links: LinkView[];
  footer: string;
}

export function describePressure(raw: PressureOutcome): PressureView {
  const outcome = mapStrings(raw, (text) => clean(redact(text)));
  const { warning, analysis, diagnostics } = outcome;
  const summary = diagnostics.summary;
  const hostname = present(summary?.hostname?.split('.')[0]);
  const host = oneLine(hostname ? `${warning.instanceId} (${hostname})` : warning.instanceId);
  const confirmation = analysis?.host.confirmation.status ?? 'unknown';
  const builtFrom = provenanceNotice(outcome.provenance);
  const notices = [
    ...(builtFrom ? [builtFrom] : []),
    ...(analysis?.host.confirmation.status === 'not-confirmed'
      ? [`Not confirmed by the host: ${analysis.host.confirmation.detail}. Nothing was changed on it.`]
      : []),
    ...(diagnostics.status === 'collected'
      ? []
      : [`No diagnostics: ${diagnostics.detail ?? diagnostics.status}.`]),
    ...(analysis && (analysis.metrics.status === 'failed' || analysis.metrics.status === 'none')
      ? [`No projection: ${analysis.metrics.detail}.`]
      : []),
    ...(outcome.failure ? [failureNotice(outcome.failure)] : []),
  ].map(oneLine);
  const provenance = outcome.provenance && outcome.provenance.kind !== 'live' ? outcome.provenance : null;
  return {
    incidentId: oneLine(warning.incidentId),
    severity: 'warning',
    host,
    title: oneLine(titleOf(outcome, host)),
    process: analysis?.grower ? oneLine(analysis.grower.comm) : null,
    confirmation,
    tag: provenanceTag(provenance),
    provenance,
    notices,
    measured: measuredFacts(outcome).map((f) => ({ ...f, value: oneLine(f.value) })),
    top: (analysis?.top ?? []).map((p) =>
      oneLine(
        `${p.comm} (pid ${p.pid}): RSS ${formatKiB(p.rssKb)}${p.anonymousKb === null ? '' : `, anon ${formatKiB(p.anonymousKb)}`}${p.swapKb === null ? '' : `, swap ${formatKiB(p.swapKb)}`}${growthOf(outcome, p.pid)}`,
      ),
    ),
    nextSteps: pressureSteps(analysis, summary, outcome.actions).map(adviceView),
    done: pressureDone(outcome).map(oneLine),
    links: pressureLinks(outcome),
    footer: oneLine(
      [
        `Warning ${warning.incidentId}`,
        `alarm ${warning.alarmName}`,
        `host ${confirmation === 'confirmed' ? 'confirmed' : confirmation === 'not-confirmed' ? 'did not confirm' : 'not asked'}`,
        `diagnostics ${diagnostics.status}`,
      ].join(' · '),
    ),
  };
}

/** The headline: when, who grows, how much is left, the swap; each part only when known. */
function titleOf(outcome: PressureOutcome, host: string): string {
  const { analysis, warning } = outcome;
  const doubt = analysis?.host.confirmation.status === 'not-confirmed' ? ' (not confirmed by the host)' : '';
  const when = analysis?.exhaustion ? ` in ${whenText(analysis.exhaustion)}` : '';
  const lead = when ? `OOM likely on ${host}${when}${doubt}` : `Memory pressure on ${host}${doubt}`;
  const parts = [
    analysis?.grower ? growerText(analysis.grower) : null,
    availableText(outcome),
    swapText(outcome),
  ].filter((part): part is string => part !== null);
  if (parts.length === 0 && warning.latestValue === null) return lead;
  return `${lead}: ${parts.join('; ')}`;
}

/** The host's own reading when there is one, else the alarm's datapoint. */
function availableText(outcome: PressureOutcome): string | null {
  const read = outcome.analysis?.host.availablePercent ?? null;
  if (read !== null) return `${percentText(read)} available`;
  const { metric, latestValue } = outcome.warning;
  if (latestValue === null) return null;
  return metric === 'swap_used_percent' ? null : `${percentText(latestValue)} available`;
}

function swapText(outcome: PressureOutcome): string | null {
  const { analysis, warning } = outcome;
  if (analysis?.swapPresent === false) return 'swap none';
  const used =
    analysis?.host.swapUsedPercent ?? (warning.metric === 'swap_used_percent' ? warning.latestValue : null);
  return used === null ? null : `swap ${percentText(used)} used`;
}

function measuredFacts(outcome: PressureOutcome): Fact[] {
  const { warning, analysis } = outcome;
  const facts: (Fact | null)[] = [
    { label: 'Alarm', value: alarmText(outcome) },
    analysis ? { label: hostLabel(analysis.host.at), value: hostText(outcome) } : null,
    analysis?.available
      ? { label: 'Available memory', value: projectionText(analysis.available, 'available') }
      : null,
    analysis?.swap ? { label: 'Swap use', value: projectionText(analysis.swap, 'swap') } : null,
    analysis?.stall
      ? { label: 'Pressure stall (PSI)', value: stallText(analysis.stall) }
      : analysis
        ? { label: 'Pressure stall (PSI)', value: 'not reported (kernel older than 4.20, or PSI off)' }
        : null,
    analysis?.grower ? { label: 'Top grower', value: growerDetail(analysis.grower) } : null,
  ];
  if (!analysis) facts.push({ label: 'Analysis', value: `none (${warning.incidentId}: see the execution)` });
  return facts.filter((f): f is Fact => f !== null);
}

function alarmText(outcome: PressureOutcome): string {
  const { alarmName, metric, latestValue, threshold, warnedAt } = outcome.warning;
  const reading = latestValue === null ? '' : ` read ${percentText(latestValue)}`;
  const limit = threshold === null ? '' : ` (threshold ${percentText(threshold)})`;
  return `${alarmName}: ${metric ?? 'its metric'}${reading}${limit}, in ALARM at ${clock(warnedAt)}`;
}

function hostLabel(at: string | null): string {
  return at ? `On the host at diagnosis (${clock(at)})` : 'On the host at diagnosis';
}

function hostText(outcome: PressureOutcome): string {
  const host = outcome.analysis?.host;
  if (!host || host.availableKb === null || host.totalKb === null)
    return host?.confirmation.detail ?? 'not read';
  const swap =
    host.swapTotalKb === 0
      ? 'no swap'
      : host.swapTotalKb === null
        ? 'swap unknown'
        : `swap ${formatKiB(host.swapTotalKb - (host.swapFreeKb ?? 0))} used of ${formatKiB(host.swapTotalKb)}`;
  const percent = host.availablePercent === null ? '' : `${percentText(host.availablePercent)} `;
  return `${percent}available (${formatKiB(host.availableKb)} of ${formatKiB(host.totalKb)}); ${swap}; ${host.confirmation.status === 'confirmed' ? 'confirms the alarm' : host.confirmation.detail}`;
}

function growthOf(outcome: PressureOutcome, pid: number): string {
  const growth = outcome.diagnostics.summary?.pressure?.growth.find((g) => g.pid === pid);
  if (!growth || growth.kbPerHour === 0) return '';
  return growth.kbPerHour > 0
    ? `, growing ${formatKiB(growth.kbPerHour)}/h`
    : `, shrinking ${formatKiB(-growth.kbPerHour)}/h`;
}

/** `03:12 UTC` of an ISO time; the text as given when it is not one. */
export function clock(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** A failed step by name; the whole response's end (`workflow`) says it in its own words. */
function failureNotice(failure: { stage: string; error: string }): string {
  if (failure.stage !== 'workflow') return `The ${failure.stage} step failed: ${failure.error}`;
  return `${failure.error.charAt(0).toUpperCase()}${failure.error.slice(1)}.`;
}
