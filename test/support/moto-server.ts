import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { awsTool } from './aws-tools';

export interface MotoServer {
  /** `http://127.0.0.1:<port>`: pass as `endpoint` to any SDK v3 client. */
  endpoint: string;
  /** Client options for a real SDK client pointed at this server. */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Forget every resource (moto's reset API), so tests do not see each other's. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** moto server, or why it can't run here; the suites skip with the reason (and fail under CI). */
export const moto = awsTool('moto_server');

const REGION = 'us-east-1';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  while (Date.now() < until) {
    if (exited) throw new Error('moto_server exited while starting');
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${deadlineMs} ms`);
}

/**
 * Start moto server (AWS's service models, served over real HTTP) on a free loopback port. One server serves every
 * service; the SDK clients reach it with the endpoint override, as they would reach AWS.
 */
export async function startMoto(): Promise<MotoServer> {
  if (!moto.path) throw new Error(moto.skipReason);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(moto.path, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'false' },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  try {
    await waitUntilUp(endpoint, child, 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    },
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
