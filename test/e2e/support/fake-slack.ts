import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SlackMessage } from '../../../functions/core/render/slack-blocks';

export interface SlackPost {
  path: string;
  contentType: string | undefined;
  message: SlackMessage;
}

export interface FakeSlack {
  /** The incoming-webhook URL, with a secret path as Slack's have: it must never be printed. */
  url: string;
  /** The secret path alone (an error quoting the path must not show it either). */
  secretPath: string;
  posts: SlackPost[];
  /** Answer every later post with this status and body (Slack answers 200 `ok`). */
  answer(status: number, body: string): void;
  close(): Promise<void>;
}

/** A real HTTP server on loopback standing in for a Slack incoming webhook: it records what it is sent. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const secretPath = `/services/T0LOCAL00/B0LOCAL00/${randomBytes(12).toString('hex')}`;
  const posts: SlackPost[] = [];
  let reply = { status: 200, body: 'ok' };
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    if (request.method === 'POST') {
      posts.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        message: JSON.parse(body) as SlackMessage,
      });
    }
    response.writeHead(reply.status, { 'content-type': 'text/plain' });
    response.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${secretPath}`,
    secretPath,
    posts,
    answer: (status, body) => {
      reply = { status, body };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}
