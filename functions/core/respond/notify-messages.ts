import type { Incident } from '../incident/model';
import type { ResponseContext, ResponseOutcome } from '../incident/outcome';
import type { Provenance } from '../incident/provenance';
import type { StormWindowStats } from '../incident/storm-stats';
import { executionUrl } from '../render/console-links';
import { renderQNotification } from '../render/q-notification';
import { renderSlackMessage } from '../render/slack';
import type { SlackMessage } from '../render/slack-blocks';
import { renderSnsNotification, type SnsNotification } from '../render/sns';
import { renderStormRollup } from '../render/storm-render';
import type { DeliveryStore, StormRollupRecord } from './notify-ports';

/** What one notify step sends, per channel: the incident's own message, or the storm rollup it owns. */
export interface Messages {
  kind: 'incident' | 'rollup';
  slack: SlackMessage;
  sns: SnsNotification;
  /** The Amazon Q Developer body (its own SNS message), when that format is on; incident messages only. */
  q: SnsNotification | null;
  /** For a rollup: the incidents it lists that its renderings could not fit (never expected; logged). */
  unlisted: string[];
}

/** The incident's own message on each channel. */
export function incidentMessages(outcome: ResponseOutcome, qDeveloperFormat: boolean): Messages {
  const sns = renderSnsNotification(outcome);
  return {
    kind: 'incident',
    slack: renderSlackMessage(outcome),
    sns: withFormat(sns, 'text'),
    // A second message for Amazon Q Developer in chat applications: its subscription filters on format.
    q: qDeveloperFormat
      ? withFormat({ ...sns, message: JSON.stringify(renderQNotification(outcome)) }, 'q-developer')
      : null,
    unlisted: [],
  };
}

export interface RollupInput {
  store: DeliveryStore;
  /** The incident that owns the rollup (its notify step, or a covered incident's on its behalf, sends it). */
  owner: Incident;
  /** Where links point: the owner's execution (the others' are named after their incidents) and the console. */
  context: Pick<ResponseContext, 'executionArn' | 'partition' | 'region'>;
  rollup: StormRollupRecord;
  window: StormWindowStats;
  /** Incidents already read (the planner's), by id; the rest of `rollup.covers` is read here. */
  loaded: ReadonlyMap<string, Incident>;
  threshold: number;
  /** The owner's provenance when not live (a replayed sample or demo): the rollup is labelled too. */
  provenance?: Provenance | null;
}

/** The storm rollup this incident owns: every incident it covers, listed with the link to its execution. */
export async function rollupMessages(input: RollupInput): Promise<Messages> {
  const { owner, rollup } = input;
  const incidents: Incident[] = [];
  for (const id of rollup.covers) {
    const incident = id === owner.id ? owner : (input.loaded.get(id) ?? (await input.store.getIncident(id)));
    if (incident) incidents.push(incident);
  }
  const { executionArn, partition, region } = input.context;
  const rendered = renderStormRollup(incidents, {
    threshold: input.threshold,
    provenance: input.provenance ?? null,
    window: input.window,
    rollup: rollup.seq,
    linkOf: (incident) =>
      executionArn
        ? executionUrl({ partition, region }, executionOfIncident(executionArn, incident.id))
        : null,
  });
  const listed = new Set(rendered.listed);
  return {
    kind: 'rollup',
    slack: rendered.slack,
    sns: withFormat(rendered.sns, 'text'),
    q: null,
    unlisted: rollup.covers.filter((id) => !listed.has(id)),
  };
}

/**
 * The execution of `incidentId`, from the ARN of another execution of the same state machine: the detector names
 * each incident's execution after the incident (`arn:...:execution:<state machine>:<incident id>`).
 */
export function executionOfIncident(executionArn: string, incidentId: string): string {
  return executionArn.replace(/:[^:]+$/, `:${incidentId}`);
}

/** The `format` attribute lets each subscription take the body it can read (filter policy on `format`). */
export function withFormat(notification: SnsNotification, format: 'text' | 'q-developer'): SnsNotification {
  return {
    ...notification,
    messageAttributes: {
      ...notification.messageAttributes,
      format: { DataType: 'String', StringValue: format },
    },
  };
}
