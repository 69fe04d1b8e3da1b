import { Tokenization } from 'aws-cdk-lib';

/**
 * Lambda refuses a function whose environment variables exceed 4 KB, measured as the JSON of the variables map
 * (its error quotes the "String measured": `{"KEY":"value",...}`), and the deploy fails. Values that are
 * CloudFormation references (a table name, an ARN) are unknown at synth: each counts as the longest it can be.
 */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * An upper bound of a reference's resolved length: names CloudFormation generates are at most 255 characters
 * (DynamoDB tables; S3 buckets 63, state machines 80), and an ARN adds at most about 60 around a name.
 */
export const REFERENCE_BOUND_BYTES = 320;

/** The most bytes the environment can take once CloudFormation resolves its references. */
export function worstCaseEnvironmentBytes(variables: Readonly<Record<string, string>>): number {
  const placeholder = 'x'.repeat(REFERENCE_BOUND_BYTES);
  const worst: unknown = Tokenization.reverseString(JSON.stringify(variables))
    .mapTokens({ mapToken: () => placeholder })
    .join({ join: (left: unknown, right: unknown) => `${String(left)}${String(right)}` });
  return Buffer.byteLength(String(worst ?? ''), 'utf8');
}
