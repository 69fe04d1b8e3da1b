import { vi } from 'vitest';
import type { LocalDynamo } from './incident-table';

/**
 * Stubs what a deployed Lambda's module reads at cold start: its Region and credentials, Powertools' development
 * mode, DynamoDB at `dynamo`'s loopback endpoint (through the SDK's service endpoint variable) and the function's
 * own `variables`. Undo with `vi.unstubAllEnvs()`.
 */
export async function stubLambdaEnvironment(
  dynamo: LocalDynamo,
  variables: Record<string, string>,
): Promise<void> {
  const port = (await dynamo.client.config.endpoint?.())?.port;
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', `http://127.0.0.1:${port}`);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
}

/** Silences the console and returns what was written to it, a line a call. Undo with `vi.restoreAllMocks()`. */
export function captureConsole(): string[] {
  const logged: string[] = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    });
  }
  return logged;
}
