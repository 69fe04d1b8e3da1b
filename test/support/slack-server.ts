import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The secret part of the webhook URL: what must never appear in a detail, an error or a log line. */
export const WEBHOOK_PATH = '/services/T000/B000/XXXXSECRET';

/** How the fake Slack answers one request: a status and body, or never (the request hangs). */
export type SlackReply =
  | { status: number; body?: string; headers?: Record<string, string> }
  | 'hang'
  | 'drop-connection';

export interface ReceivedPost {
  path: string;
  contentType: string | undefined;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: unknown;
  /** What the server answered (`hang` and `drop-connection` never answer). */
  answered: number | 'hang' | 'drop-connection';
}

export interface FakeSlack {
  /** `http://127.0.0.1:<port>/services/T000/B000/XXXXSECRET` */
  url: string;
  requests: ReceivedPost[];
  /** Requests Slack took (answered 2xx): "delivered". */
  delivered(): number;
  /** Queue answers, in order; the last one repeats. */
  reply(...replies: SlackReply[]): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback standing in for a Slack incoming webhook, driven per test. It answers as Slack
 * does (`ok` with 200; error codes such as `invalid_blocks` with 4xx), or hangs, or drops the connection.
 */
export async function startFakeSlack(): Promise<FakeSlack> {
  let queue: SlackReply[] = [{ status: 200, body: 'ok' }];
  const requests: ReceivedPost[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const reply = (queue.length > 1 ? queue.shift() : queue[0]) ?? { status: 200, body: 'ok' };
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Kept as text: the test says what it expected.
      }
      requests.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body,
        answered: typeof reply === 'string' ? reply : reply.status,
      });
      if (reply === 'hang') return;
      if (reply === 'drop-connection') {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'text/html', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    requests,
    delivered: () =>
      requests.filter((r) => typeof r.answered === 'number' && r.answered >= 200 && r.answered < 300).length,
    reply: (...replies) => {
      queue = replies;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL nothing listens on (a port just opened and closed again): connections are refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
}
