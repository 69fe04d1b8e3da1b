import * as z from 'zod';
import { InvalidPolicyError, type Policy, parsePolicy } from '../core/policy/policy';
import type { AnalyzeIncidentConfig } from '../core/respond/analyze-incident';

const EnvSchema = z.object({
  INCIDENT_TABLE_NAME: z.string().min(3),
  REMEDIATION_POLICY: z.string().default('{}'),
  DIAGNOSTICS_BUCKET: z.string().min(3).optional(),
  ADD_SWAP_DOCUMENT: z.string().min(3).optional(),
  RESTART_SERVICE_DOCUMENT: z.string().min(3).optional(),
  /**
   * Set when the deployment publishes the agent's memory metrics (`earlyWarning` on): the available-memory alarm's
   * threshold. Its presence turns on the memory timeline of each kill's message.
   */
  EARLY_WARNING_MEM_AVAILABLE_PERCENT: z.coerce.number().min(0).max(100).optional(),
});

export interface AnalyzeFunctionConfig {
  tableName: string;
  analyze: AnalyzeIncidentConfig;
}

/**
 * Read once at cold start; a policy the construct validated is validated again here, with the same schema. Every
 * problem, of the environment and of the policy, is listed in one error.
 */
export function readAnalyzeFunctionConfig(env: Record<string, string | undefined>): AnalyzeFunctionConfig {
  const parsed = EnvSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const policy = readPolicy(env.REMEDIATION_POLICY ?? '{}', problems);
  if (!parsed.success || !policy) throw new Error(`analyze function misconfigured: ${problems.join('; ')}`);
  const e = parsed.data;
  return {
    tableName: e.INCIDENT_TABLE_NAME,
    analyze: {
      policy,
      outputBucket: e.DIAGNOSTICS_BUCKET ?? null,
      documents: {
        ...(e.ADD_SWAP_DOCUMENT ? { addSwap: e.ADD_SWAP_DOCUMENT } : {}),
        ...(e.RESTART_SERVICE_DOCUMENT ? { restartService: e.RESTART_SERVICE_DOCUMENT } : {}),
      },
      ...(e.EARLY_WARNING_MEM_AVAILABLE_PERCENT === undefined
        ? {}
        : { memoryTimeline: { thresholdPercent: e.EARLY_WARNING_MEM_AVAILABLE_PERCENT } }),
    },
  };
}

function readPolicy(text: string, problems: string[]): Policy | null {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    problems.push('REMEDIATION_POLICY: not JSON');
    return null;
  }
  try {
    return parsePolicy(input);
  } catch (error) {
    if (!(error instanceof InvalidPolicyError)) throw error;
    problems.push(...error.problems.map((problem) => `REMEDIATION_POLICY: ${problem}`));
    return null;
  }
}
