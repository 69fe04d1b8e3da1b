import type { Writable } from 'node:stream';

/** Write to a stream, waiting when its buffer is full, so piping a large result into `head` or a file stays bounded. */
export async function write(stream: Writable, text: string): Promise<void> {
  if (stream.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error): void => {
      stream.off('drain', onDrain);
      stream.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => done();
    stream.once('drain', onDrain);
    stream.once('error', done);
  });
}
