/**
 * Where the facts of a message come from. The deployed pipeline reports live kills from the instance itself;
 * the CLI can build the same message from a captured sample (another host's processes, memory and state) or as a
 * demo, and such a message must never pass for a real incident of this host. A drill (`oom-responder drill`) runs
 * through the deployed pipeline itself, from a synthetic report: its messages are labelled too.
 */
export type ProvenanceKind = 'live' | 'sample' | 'demo' | 'drill';

/** Every kind, for the schemas that check a provenance read from JSON. */
export const PROVENANCE_KINDS = [
  'live',
  'sample',
  'demo',
  'drill',
] as const satisfies readonly ProvenanceKind[];

export interface Provenance {
  kind: ProvenanceKind;
  /** One sentence for the message: what it was built from, and what in it is not about this host. */
  detail: string;
}

/** What every message of the deployed pipeline is: it carries no provenance, and none is shown. */
export const LIVE: Provenance = { kind: 'live', detail: 'A live kill reported by the deployed pipeline.' };

/** The sentence of a replay whose diagnostics are the bundled sample (no `--host-exec`). */
export const SAMPLE_DIAGNOSTICS_SENTENCE =
  "Built from a captured sample of another host's diagnostics: the processes, memory and state below are not this host's.";

const TAGS: Record<Exclude<ProvenanceKind, 'live'>, string> = {
  sample: '[SAMPLE]',
  demo: '[DEMO]',
  drill: '[DRILL]',
};

/** `[SAMPLE]`, `[DEMO]` or `[DRILL]`, for the start of every header; null for a live message, whose header is unchanged. */
export function provenanceTag(provenance: Provenance | null | undefined): string | null {
  if (!provenance || provenance.kind === 'live') return null;
  return TAGS[provenance.kind];
}

/** The header with its tag in front, or as it is when live. */
export function tagged(provenance: Provenance | null | undefined, header: string): string {
  const tag = provenanceTag(provenance);
  return tag ? `${tag} ${header}` : header;
}

/** The sentence saying what a labelled message was built from; null when live. */
export function provenanceNotice(provenance: Provenance | null | undefined): string | null {
  return provenanceTag(provenance) && provenance ? provenance.detail : null;
}
