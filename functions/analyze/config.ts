import { z } from 'zod';
import { parsePolicy } from '../core/policy/policy';
import type { AnalyzeIncidentConfig } from '../core/respond/analyze-incident';

const EnvSchema = z.object({
  INCIDENT_TABLE_NAME: z.string().min(3),
  REMEDIATION_POLICY: z.string().default('{}'),
  DIAGNOSTICS_BUCKET: z.string().min(3).optional(),
  ADD_SWAP_DOCUMENT: z.string().min(3).optional(),
  RESTART_SERVICE_DOCUMENT: z.string().min(3).optional(),
});

export interface AnalyzeFunctionConfig {
  tableName: string;
  analyze: AnalyzeIncidentConfig;
}

/** Read once at cold start; a policy the construct validated is validated again here, with the same schema. */
export function readAnalyzeFunctionConfig(env: Record<string, string | undefined>): AnalyzeFunctionConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `analyze function misconfigured: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  return {
    tableName: e.INCIDENT_TABLE_NAME,
    analyze: {
      policy: parsePolicy(JSON.parse(e.REMEDIATION_POLICY)),
      outputBucket: e.DIAGNOSTICS_BUCKET ?? null,
      documents: {
        ...(e.ADD_SWAP_DOCUMENT ? { addSwap: e.ADD_SWAP_DOCUMENT } : {}),
        ...(e.RESTART_SERVICE_DOCUMENT ? { restartService: e.RESTART_SERVICE_DOCUMENT } : {}),
      },
    },
  };
}
