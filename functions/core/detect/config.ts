/** The detector's tunables; the Lambda reads them from its environment, the CLI from flags. */
export interface DetectConfig {
  /** Fetch this much of the stream before a kill line to rebuild the whole report. @default 15_000 */
  contextBeforeMs: number;
  /** ... and this much after it. @default 5_000 */
  contextAfterMs: number;
  /** Kills on an instance within this time of its incident opening join that incident. @default 15 min */
  cooldownMs: number;
  /** Incidents are counted per window of this length, so the notifier can roll up a storm. @default 5 min */
  stormWindowMs: number;
  /** Items expire from the incident table after this. @default 30 days */
  retentionMs: number;
  /** Instances handled at once within one batch: bounds the burst on SSM, EC2 and DynamoDB. @default 8 */
  concurrency: number;
}

export const DEFAULT_DETECT_CONFIG: DetectConfig = {
  contextBeforeMs: 15_000,
  contextAfterMs: 5_000,
  cooldownMs: 15 * 60_000,
  stormWindowMs: 5 * 60_000,
  retentionMs: 30 * 24 * 3_600_000,
  concurrency: 8,
};
