import { describe, expect, it } from 'vitest';
import { matchesParameterPattern } from '../../../../functions/core/ssm/parameters';
import { processHexOf } from '../../../../functions/core/ssm/process-hex';

describe('processHexOf', () => {
  it.each([
    ['java', '6a617661'],
    ['oom e2e (x):1', '6f6f6d20653265202878293a31'],
    // UTF-8 as the kernel keeps it: "jävä" is 6 bytes.
    ['jävä', '6ac3a476c3a4'],
    // dmesg and /dev/kmsg print a byte they would not show as \xNN: the byte, not four characters.
    ['a\\x1bb', '611b62'],
    ['x\\x0a', '780a'],
    // A backslash not followed by two hex digits is itself.
    ['a\\xz', '615c787a'],
  ])('%s -> %s', (comm, hex) => {
    expect(processHexOf(comm)).toBe(hex);
    expect(matchesParameterPattern('collect-diagnostics', 'processHex', hex)).toBe(true);
  });

  it.each([
    ['no name', null],
    ['an empty name', ''],
    ['more than the 15 bytes of a comm', 'sixteen-chars-xx'],
    ['15 characters of 2 bytes each', 'ä'.repeat(15)],
    ['a NUL', 'a\\x00b'],
  ])('is empty for %s', (_, comm) => {
    expect(processHexOf(comm)).toBe('');
  });

  it('keeps every byte of a 15-byte comm, the longest the kernel prints', () => {
    const hex = processHexOf('amazon-ssm-agen');
    expect(Buffer.from(hex, 'hex').toString('utf8')).toBe('amazon-ssm-agen');
    expect(matchesParameterPattern('collect-diagnostics', 'processHex', hex)).toBe(true);
  });
});
