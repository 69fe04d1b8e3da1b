/** The pipeline's stages, in the order a response goes through them. */
export type StageName = 'detect' | 'diagnostics' | 'analyze' | 'remediate' | 'notify';

export interface StageLine {
  stage: StageName;
  /** Which incident, `1/3`; null for detection, which covers them all. */
  incident: string | null;
  text: string;
  ms: number;
  failed: boolean;
}

export type StageReporter = (line: Omit<StageLine, 'incident'>) => void;

/** Run one stage, timing it, and report one line for it. */
export async function timed<T>(
  report: StageReporter,
  stage: StageName,
  run: () => Promise<{ value: T; text: string; failed?: boolean }>,
): Promise<T> {
  const started = performance.now();
  const { value, text, failed = false } = await run();
  report({ stage, text, ms: performance.now() - started, failed });
  return value;
}

/** `detect       2 kills in 1 incident ........ 12 ms`: one progress line, for stderr. */
export function formatStageLine(line: StageLine): string {
  const where = line.incident ? `[${line.incident}] ` : '';
  const ms = line.ms < 10 ? line.ms.toFixed(1) : String(Math.round(line.ms));
  return `${line.failed ? '✗' : '✓'} ${line.stage.padEnd(11)} ${where}${line.text} (${ms} ms)`;
}
