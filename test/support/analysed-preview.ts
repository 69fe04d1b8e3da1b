import { previewOutcome } from '../../cli/format/preview-outcome';
import { analyze } from '../../functions/core/analysis';
import type { KillGroup } from '../../functions/core/incident/group-kills';
import type { ResponseOutcome } from '../../functions/core/incident/outcome';
import { DEFAULT_POLICY } from '../../functions/core/policy/policy';

/**
 * The outcome `oom-responder preview` builds for one incident, with the analysis the pipeline would add when the
 * diagnostics did not run (default policy): what the render tests read from a real report alone.
 */
export function analysedPreview(group: KillGroup, now: string): ResponseOutcome {
  const preview = previewOutcome(group, { partition: 'aws', region: '', now });
  const analysis = analyze({
    incident: preview.incident,
    diagnostics: null,
    policy: DEFAULT_POLICY,
    recentActions: [],
    now,
  });
  return { ...preview, analysis };
}
