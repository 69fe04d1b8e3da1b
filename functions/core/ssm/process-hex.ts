/**
 * The killed process's name as the collect-diagnostics document's `processHex` parameter: lowercase hex of the
 * comm's bytes. The parser keeps a comm the way its transport printed it, where dmesg and `/dev/kmsg` write a
 * byte they would not print as `\xNN`; that escape is the byte it stands for, so the host can compare the name
 * with its own kernel log whichever way that log escapes it.
 *
 * Returns '' when there is no name, or when it cannot be a comm the kernel printed (more than 15 bytes, or a
 * NUL): the host then matches the kill by pid and time alone and says so.
 */
export function processHexOf(process: string | null): string {
  if (!process) return '';
  const bytes: number[] = [];
  for (let i = 0; i < process.length; ) {
    const escaped = /^\\x([0-9a-fA-F]{2})/.exec(process.slice(i, i + 4));
    if (escaped?.[1]) {
      bytes.push(Number.parseInt(escaped[1], 16));
      i += 4;
      continue;
    }
    const codePoint = process.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(codePoint);
    bytes.push(...Buffer.from(char, 'utf8'));
    i += char.length;
  }
  // TASK_COMM_LEN is 16 with the terminating NUL.
  if (bytes.length > 15 || bytes.includes(0)) return '';
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
