import { closeSync, constants, openSync, readSync } from 'node:fs';

/**
 * Read every record now in the kernel's ring buffer through /dev/kmsg, as `pri,seq,usec,flags;message`
 * lines (the parser's `kmsg` transport). Non-blocking: stops at the newest record.
 */
export function readKmsgRecords(): string[] {
  const fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  const buffer = Buffer.alloc(16 * 1024);
  const records: string[] = [];
  try {
    for (;;) {
      let size: number;
      try {
        size = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'EPIPE') continue; // records were overwritten while we read; go on with the next
        if (code === 'EAGAIN') break;
        throw error;
      }
      if (size === 0) break;
      // A record is one header line plus optional ` KEY=value` continuation lines: keep the first.
      const text = buffer.toString('utf8', 0, size);
      records.push(text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length));
    }
  } finally {
    closeSync(fd);
  }
  return records;
}

/** The sequence number of a kmsg record, for "what came after" filtering. */
export function kmsgSequence(record: string): number {
  const first = record.indexOf(',');
  return Number(record.slice(first + 1, record.indexOf(',', first + 1)));
}
