import { describe, expect, it } from 'vitest';
import { parseScriptResult } from '../../../../functions/core/ssm/script-result';

describe('parseScriptResult', () => {
  it('reads the last result line and the human line before it', () => {
    const stdout = [
      'Setting up swapspace version 1, size = 2 GiB (2147479552 bytes)',
      'NAME                    TYPE SIZE USED PRIO',
      '/swapfile.oom-responder file   2G   0B   -2',
      'add-swap: /swapfile.oom-responder (2048 MiB) is active swap and in /etc/fstab',
      'result=done reason=none path=/swapfile.oom-responder sizeMiB=2048 verification=swapon-show-lists-path',
      '',
    ].join('\n');
    expect(parseScriptResult(stdout)).toEqual({
      status: 'done',
      reason: null,
      verification: 'swapon-show-lists-path',
      message: '/swapfile.oom-responder (2048 MiB) is active swap and in /etc/fstab',
      fields: {
        result: 'done',
        reason: 'none',
        path: '/swapfile.oom-responder',
        sizeMiB: '2048',
        verification: 'swapon-show-lists-path',
      },
    });
  });

  it('reads a refusal of restart-service with its states', () => {
    const stdout =
      'restart-service: refused: sshd.service is never restarted automatically\n' +
      'result=refused reason=protected-unit unit=sshd.service before=- after=- nRestarts=- verification=none\n';
    expect(parseScriptResult(stdout)).toMatchObject({
      status: 'refused',
      reason: 'protected-unit',
      verification: null,
      message: 'refused: sshd.service is never restarted automatically',
      fields: { unit: 'sshd.service', before: '-' },
    });
  });

  it('returns null when the script did not get as far as its result line', () => {
    expect(parseScriptResult('')).toBeNull();
    expect(parseScriptResult('add-swap: would run: swapon /swapfile\n')).toBeNull();
  });

  it('skips lines that only look like result lines', () => {
    const stdout = 'result=done reason=none\nresult=exploded reason=x\n';
    expect(parseScriptResult(stdout)?.status).toBe('done');
    expect(parseScriptResult('result=dry-run reason=already-active\r\n')).toMatchObject({
      status: 'dry-run',
      reason: 'already-active',
      message: null,
    });
  });
});
