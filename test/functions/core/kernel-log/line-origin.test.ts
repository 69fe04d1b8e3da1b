import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KernelLogParser, parseKernelLog } from '../../../../functions/core/kernel-log';

// The lines below are written by hand: what another program prints when it quotes the kernel, or what a local
// user can send while claiming to be the kernel. The real captures of the latter are in
// test/fixtures/kernel/forged/ (SOURCES.md there says how each was made).
const KILL =
  'Out of memory: Killed process 1234 (sshd) total-vm:1048576kB, anon-rss:917504kB, file-rss:1024kB, shmem-rss:0kB, UID:0 pgtables:2048kB oom_score_adj:0';
const INVOKED = 'python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0';
const options = { referenceDate: new Date('2026-11-25T23:59:59Z') };

const journal = (fields: Record<string, string>): string =>
  JSON.stringify({ MESSAGE: KILL, __REALTIME_TIMESTAMP: '1795627850068922', _HOSTNAME: 'web-3', ...fields });

describe('kernel text in the middle of another program line', () => {
  it.each([
    [
      'an nginx access log quoting it in a query string',
      `10.0.0.7 - - [25/Nov/2026:16:58:01 +0000] "GET /search?q=${KILL} HTTP/1.1" 200 512 "-" "curl/8.5.0"`,
    ],
    [
      'an access log quoting it with a kernel stamp',
      `10.0.0.7 - - [25/Nov/2026:16:58:01 +0000] "GET /?q=[ 1234.567890] ${KILL} HTTP/1.1" 200 512`,
    ],
    ['a JSON field of an application log', JSON.stringify({ level: 'info', msg: KILL })],
    [
      'a JSON application log whose field is called message',
      JSON.stringify({ message: KILL, level: 'warn' }),
    ],
    ['an application plain log line', `2026-11-25 16:58:01,123 INFO worker - ${KILL}`],
    [
      'a Lambda function log line',
      `2026-11-25T16:58:01.123Z\t6f1c2d4e-0000-4000-8000-000000000000\tINFO\t${KILL}`,
    ],
    [
      'a Lambda function log line with a kernel stamp',
      `2026-11-25T16:58:01.123Z\t6f1c2d4e-0000-4000-8000-000000000000\tINFO\t[ 1234.567890] ${KILL}`,
    ],
    ['a syslog line of another program', `Nov 25 16:58:01 web-3 myapp[4242]: ${KILL}`],
    ['a syslog line without a tag', `Nov 25 16:58:01 web-3 GET /search?q=${KILL}`],
    [
      'a kernel-tagged syslog line quoting it mid-message',
      `Nov 25 16:58:01 web-3 kernel: audit: said ${KILL}`,
    ],
    ['a plain line quoting it mid-sentence', `the log said: ${KILL}`],
  ])('is no kill: %s', (_, line) => {
    expect(parseKernelLog(line, options)).toEqual([]);
  });

  it('opens no report from a quoted invoked line, so a quoted report yields nothing', () => {
    const log = [
      `10.0.0.7 - - [25/Nov/2026:16:58:01 +0000] "GET /?a=${INVOKED} HTTP/1.1" 200 1`,
      `10.0.0.7 - - [25/Nov/2026:16:58:01 +0000] "GET /?b=${KILL} HTTP/1.1" 200 1`,
    ].join('\n');
    expect(parseKernelLog(log, options)).toEqual([]);
    // Nor does it lend its words to a kill that follows.
    const [kill] = parseKernelLog(`${log.split('\n')[0]}\n${KILL}`, options);
    expect(kill).toMatchObject({ pid: 1234, triggeredBy: null });
  });

  it('is no kill inside a CloudWatch Logs subscription payload either', () => {
    const batch = {
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: '/app/nginx',
      logStream: 'i-0abc1234def567890',
      subscriptionFilters: ['oom'],
      logEvents: [
        {
          id: '1',
          timestamp: 1795627850068,
          message: `10.0.0.7 - - [25/Nov/2026:16:58:01 +0000] "GET /search?q=${KILL} HTTP/1.1" 200 512`,
        },
        { id: '2', timestamp: 1795627850069, message: JSON.stringify({ msg: KILL }) },
      ],
    };
    const event = { awslogs: { data: gzipSync(JSON.stringify(batch)).toString('base64') } };
    expect(new KernelLogParser(options).pushDocument(event)).toEqual([]);
  });
});

describe("a kill's origin", () => {
  it.each([
    ['a dmesg line', `[ 1234.567890] ${KILL}`, 'kernel-ring-buffer', true],
    [
      'a dmesg -x line of the kernel facility',
      `kern  :err   : [ 1234.567890] ${KILL}`,
      'kernel-ring-buffer',
      true,
    ],
    [
      'a dmesg -x line of the user facility',
      `user  :err   : [ 1234.567890] ${KILL}`,
      'ring-buffer-user-facility',
      false,
    ],
    ['a /dev/kmsg record of the kernel facility', `3,822,1234567890,-;${KILL}`, 'kernel-ring-buffer', true],
    [
      'a journal entry of the kernel transport',
      journal({ _TRANSPORT: 'kernel', SYSLOG_FACILITY: '0', SYSLOG_IDENTIFIER: 'kernel' }),
      'journal-kernel-transport',
      true,
    ],
    [
      'a journal entry of the kernel transport, as Fluent Bit lower-cases it',
      JSON.stringify({ message: KILL, _transport: 'kernel', syslog_facility: '0', _hostname: 'web-3' }),
      'journal-kernel-transport',
      true,
    ],
    [
      'a journal entry of the kernel transport that root wrote into /dev/kmsg',
      journal({ _TRANSPORT: 'kernel', SYSLOG_FACILITY: '1', SYSLOG_IDENTIFIER: 'kernel' }),
      'ring-buffer-user-facility',
      false,
    ],
    [
      'a syslog line tagged kernel, as rsyslog writes `logger -t kernel` to /var/log/messages',
      `Nov 25 16:58:01 web-3 kernel: ${KILL}`,
      'syslog-tag',
      false,
    ],
    [
      'a journal entry of the syslog transport naming itself kernel (`logger -t kernel` under journald)',
      journal({ _TRANSPORT: 'syslog', SYSLOG_FACILITY: '1', SYSLOG_IDENTIFIER: 'kernel' }),
      'journal-identifier',
      false,
    ],
    [
      'a journal entry of the native transport naming itself kernel (`systemd-cat -t kernel`)',
      journal({ _TRANSPORT: 'journal', SYSLOG_IDENTIFIER: 'kernel', TRANSPORT: 'kernel' }),
      'journal-identifier',
      false,
    ],
    [
      'a journal entry whose only transport field is one any sender can set',
      JSON.stringify({ MESSAGE: KILL, TRANSPORT: 'kernel', HOSTNAME: 'web-3' }),
      'journal-identifier',
      false,
    ],
    ['kernel text with no transport (a paste)', KILL, 'text', false],
  ])('is read from %s', (_, line, origin, kernelOnly) => {
    const kills = parseKernelLog(line, options);
    expect(kills).toHaveLength(1);
    expect(kills[0]).toMatchObject({ pid: 1234, process: 'sshd', origin, kernelOnly });
  });

  it("trusts systemd-oomd's own journal entries by their unit, not by the name they give", () => {
    const message =
      'Killed /system.slice/app.service due to memory pressure for /system.slice being 86.45% > 50.00% for > 20s with reclaim activity';
    const entry = (fields: Record<string, string>) =>
      JSON.stringify({ MESSAGE: message, SYSLOG_IDENTIFIER: 'systemd-oomd', _HOSTNAME: 'web-3', ...fields });
    const own = parseKernelLog(
      entry({ _TRANSPORT: 'journal', _SYSTEMD_UNIT: 'systemd-oomd.service' }),
      options,
    );
    const posed = parseKernelLog(entry({ _TRANSPORT: 'journal', _SYSTEMD_UNIT: 'session-3.scope' }), options);
    expect(own).toMatchObject([{ kind: 'systemd-oomd', origin: 'systemd-oomd-journal', kernelOnly: false }]);
    expect(posed).toMatchObject([{ kind: 'systemd-oomd', origin: 'journal-identifier', kernelOnly: false }]);
  });

  it('takes a CloudWatch event its origin from the line inside it', () => {
    const parser = new KernelLogParser(options);
    const source = {
      logGroup: '/oom/kernel',
      logStream: 'i-0abc1234def567890',
      eventId: '1',
      timestampMs: 0,
    };
    const [kill] = parser.pushLine(`Nov 25 16:58:01 web-3 kernel: ${KILL}`, source).concat(parser.end());
    expect(kill).toMatchObject({ transport: 'cloudwatch', origin: 'syslog-tag', kernelOnly: false });
  });
});
