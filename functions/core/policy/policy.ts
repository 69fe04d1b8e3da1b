import * as z from 'zod';
import { ADD_SWAP_PARAMETERS, RESTART_SERVICE_PARAMETERS } from '../ssm/parameter-specs';
import { globMatches, protectedPatternOf } from './protected-units';
import { unitPatternProblem } from './unit-pattern';

/**
 * The remediation policy: one schema shared by the construct's props, the Lambdas' configuration and the CLI's
 * `--policy` file, so what an operator tries locally is exactly what the deployed pipeline does. The default
 * changes nothing on any host: diagnose and notify only. Each remediation is opt-in, limited per instance per
 * hour, and can be a dry-run that reports what it would do.
 */
// The document's own patterns: a policy value the add-swap document would refuse is refused here, at synth.
const SWAP_PATH = new RegExp(ADD_SWAP_PARAMETERS.path.pattern);
const SERVICE_UNIT = new RegExp(RESTART_SERVICE_PARAMETERS.unit.pattern);

export const AddSwapPolicySchema = z
  .object({
    /** @default false */
    enabled: z.boolean().default(false),
    /** Report what would be done, change nothing. @default false */
    dryRun: z.boolean().default(false),
    /**
     * Also add swap before a kill, on a memory-pressure warning the host itself confirms (needs `enabled`; the
     * same guards and limits as after a kill). @default false
     */
    preventive: z.boolean().default(false),
    /** @default 2048 */
    sizeMiB: z.number().int().min(64).max(65_536).default(2048),
    /** @default /swapfile.oom-responder */
    path: z
      .string()
      .regex(
        SWAP_PATH,
        'an absolute path of up to 8 components of letters, digits, . _ -, none starting with a dot',
      )
      .default('/swapfile.oom-responder'),
    /** Largest share of the filesystem's free space the swap file may take, in percent. @default 25 */
    maxDiskSharePercent: z.number().int().min(1).max(90).default(25),
    /** @default 1 */
    maxPerInstancePerHour: z.number().int().min(1).max(10).default(1),
  })
  .strict()
  .superRefine((policy, ctx) => {
    // An opt-in that could never apply is a mistake worth saying at synth, not a silent no-op.
    if (policy.preventive && !policy.enabled)
      ctx.addIssue({
        code: 'custom',
        path: ['preventive'],
        message: 'preventive add-swap needs addSwap.enabled: true (set both, or drop preventive)',
      });
  });

export const RestartServicePolicySchema = z
  .object({
    /** @default false */
    enabled: z.boolean().default(false),
    /** @default false */
    dryRun: z.boolean().default(false),
    /**
     * Services that may be restarted, exactly or with one `*` (`myapp-*.service`). Never `*` alone, never a
     * pattern that could match a protected unit (see protected-units.ts). @default [] (none)
     */
    allowedUnits: z
      .array(
        z.string().superRefine((pattern, ctx) => {
          const problem = unitPatternProblem(pattern);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      )
      .default([]),
    /** @default 2 */
    maxPerInstancePerHour: z.number().int().min(1).max(10).default(2),
  })
  .strict();

export const PolicySchema = z
  .object({
    addSwap: AddSwapPolicySchema.default(AddSwapPolicySchema.parse({})),
    restartService: RestartServicePolicySchema.default(RestartServicePolicySchema.parse({})),
  })
  .strict();

export type Policy = z.infer<typeof PolicySchema>;
export type AddSwapPolicy = z.infer<typeof AddSwapPolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;

/** The deployed default: diagnose and notify, change nothing. */
export const DEFAULT_POLICY: Policy = PolicySchema.parse({});

export class InvalidPolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid remediation policy:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidPolicyError';
  }
}

/** Validate a policy from any source (construct props, environment, a `--policy` file); lists every problem. */
export function parsePolicy(input: unknown): Policy {
  const result = PolicySchema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new InvalidPolicyError(
    result.error.issues.flatMap((issue) => {
      const where = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `${where ? `${where}: ` : ''}${unknownKeyText(key, where)}`);
      }
      return [`${where || '(policy)'}: ${issue.message}`];
    }),
  );
}

/** The keys each object of the policy takes, by its path: a typo is answered with the right spelling. */
const KEYS_AT: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(PolicySchema.shape),
  addSwap: Object.keys(AddSwapPolicySchema.shape),
  restartService: Object.keys(RestartServicePolicySchema.shape),
};

function unknownKeyText(key: string, where: string): string {
  const valid = KEYS_AT[where] ?? [];
  const likely = valid.find((name) => editDistance(name.toLowerCase(), key.toLowerCase()) <= 2);
  const hint = likely ? `did you mean '${likely}'? ` : '';
  return `unknown key '${key}' (${hint}valid here: ${valid.join(', ')})`;
}

/** Levenshtein distance, for key names only (a few dozen characters). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * Whether a unit is on the allow-list (exact, or a pattern with one `*`), one the restart document accepts, and
 * not a protected unit (a policy that bypassed the schema still cannot allow one).
 */
export function isUnitAllowed(unit: string, allowed: readonly string[]): boolean {
  if (!SERVICE_UNIT.test(unit) || protectedPatternOf(unit) !== null) return false;
  return allowed.some((pattern) => globMatches(pattern, unit));
}
