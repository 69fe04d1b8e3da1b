import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KernelLogParser, parseKernelLog } from '../../../../functions/core/kernel-log';
import { KERNEL_CORPUS } from '../../../support/corpus';

/**
 * No input shape overflows the parser's stack (issue 14): the depth of its work never follows the input. Before,
 * a line of 6,000 kernel messages (lost newlines, about 1 MiB) and arrays nested 100,000 deep each ended in
 * "Maximum call stack size exceeded".
 */

const DMESG = readFileSync(`${KERNEL_CORPUS}transports/captured-6.18-dmesg.log`, 'utf8');
const VICTIM_LINE = DMESG.split('\n').find((line) => line.includes('Killed process')) ?? '';
const JOURNAL = readFileSync(`${KERNEL_CORPUS}transports/captured-6.18-journald-json.log`, 'utf8');
const VICTIM_RECORD = JSON.parse(
  JOURNAL.split('\n').find((line) => line.includes('Killed process')) ?? '{}',
) as Record<string, unknown>;
/** The victim the captures name (pid and process), read from their expected file. */
const [EXPECTED] = JSON.parse(
  readFileSync(`${KERNEL_CORPUS}transports/captured-6.18-dmesg.expected.json`, 'utf8'),
) as { pid: number; process: string }[];

describe('the parser on input shaped to go deep', () => {
  it('splits a line holding 20,000 kernel messages (lost newlines) into 20,000 kills', () => {
    expect(VICTIM_LINE.startsWith('[')).toBe(true);
    const kills = parseKernelLog(VICTIM_LINE.repeat(20_000));
    expect(kills).toHaveLength(20_000);
    expect(new Set(kills.map((kill) => `${kill.pid} ${kill.process}`))).toEqual(
      new Set([`${EXPECTED?.pid} ${EXPECTED?.process}`]),
    );
  });

  it('keeps the order of the messages of such a line: the first message is handled first', () => {
    const other = VICTIM_LINE.replace(`process ${EXPECTED?.pid} `, 'process 1 ');
    const kills = parseKernelLog(`${VICTIM_LINE}${other}${VICTIM_LINE}`);
    expect(kills.map((kill) => kill.pid)).toEqual([EXPECTED?.pid, 1, EXPECTED?.pid]);
  });

  it('reads a record inside arrays nested 100,000 deep', () => {
    let document: unknown = VICTIM_RECORD;
    for (let i = 0; i < 100_000; i++) document = [document];
    const parser = new KernelLogParser();
    const kills = [...parser.pushDocument(document), ...parser.end()];
    expect(kills.map((kill) => [kill.pid, kill.process])).toEqual([[EXPECTED?.pid, EXPECTED?.process]]);
  });
});
