import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeSubscriptionEvent } from '../../functions/core/cloudwatch/subscription-payload';
import { validateSlackMessage } from '../../functions/core/render/block-kit-limits';
import type { SlackMessage } from '../../functions/core/render/slack-blocks';
import { corpusSamples, KERNEL_CORPUS } from '../support/corpus';
import { runMain } from '../support/run-cli';

const temp = mkdtempSync(join(tmpdir(), 'oomr-replay-cli-'));
const BERLIN = `${KERNEL_CORPUS}transports/captured-6.18-rsyslog-imkmsg-rfc3164-berlin.log`;

function file(name: string, content: string): string {
  const path = join(temp, name);
  writeFileSync(path, content);
  return path;
}

/** The Slack payloads printed on stdout (one JSON line each, before the summary), each within Block Kit's limits. */
function payloads(stdout: string): SlackMessage[] {
  const messages = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as SlackMessage);
  for (const message of messages) expect(validateSlackMessage(message)).toEqual([]);
  return messages;
}

const decoded = (message: SlackMessage | undefined): string =>
  JSON.stringify(message ?? null)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The captured report of python3 (pid 3920) on host `vm`, moved to another time and pid. */
function berlinReport(time: string, pid: number): string[] {
  return readFileSync(BERLIN, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.replace('Nov 25 18:30:49', time).replace(/\b3920\b/g, String(pid)));
}

describe('oom-responder replay: flags and exit status', () => {
  it('prints its help', async () => {
    const result = await runMain(['replay', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: oom-responder replay \[options\] FILE\.\.\./);
  });

  it.each([
    [['--bogus', BERLIN], /unknown option '--bogus' \(see oom-responder replay --help\)/],
    [[], /give a FILE to replay/],
    [[join(temp, 'missing.log')], /cannot read .*missing\.log: no such file/],
    [['--apply', BERLIN], /--apply needs --host-exec/],
    [['--year', '26', BERLIN], /--year takes a four-digit year/],
  ])('exits 2 for %j', async (args, message) => {
    const result = await runMain(['replay', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('exits 2 for a policy file that is not JSON, or that the deployed schema refuses, naming every problem', async () => {
    const notJson = await runMain(['replay', '--policy', file('bad.json', '{addSwap'), BERLIN]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/--policy .*bad\.json is not JSON/);

    const policy = file(
      'invalid.json',
      JSON.stringify({ addSwap: { enabled: 'yes', sizeMiB: 1 }, other: 1 }),
    );
    const invalid = await runMain(['replay', '--policy', policy, BERLIN]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('invalid policy in');
    expect(invalid.stderr).toContain('addSwap.enabled');
    expect(invalid.stderr).toContain('addSwap.sizeMiB');
    expect(invalid.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('exits 2 for a webhook that is not an http(s) URL, without repeating it', async () => {
    const secret = 'not-a-url-but-a-secret-T0123/B0456/xyz';
    for (const value of [secret, `ftp://hooks.example.com/${secret}`]) {
      const result = await runMain(['replay', '--slack-webhook', value, BERLIN]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--slack-webhook takes an http(s) URL');
      expect(result.stderr).not.toContain(secret);
    }
  });

  it('exits 0 and says so for an input without any kill', async () => {
    const result = await runMain(['replay', file('quiet.log', 'Nov 25 18:30:49 vm kernel: eth0: link up\n')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('no OOM kills found in the input');
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No OOM kills found.');
  });
});

describe('oom-responder replay without --host-exec (captured diagnostics)', () => {
  const samples = corpusSamples().filter((sample) => sample.expected.length > 0);

  it.each(samples.map((sample) => [`${sample.theme}/${sample.name}`, sample] as const))(
    'names every kill of %s and its pid in the printed messages',
    async (_name, sample) => {
      const result = await runMain(['replay', '--year', '2026', sample.logPath]);

      expect(result.code, result.stderr).toBe(0);
      const text = payloads(result.stdout).map(decoded).join('\n');
      for (const kill of sample.expected) {
        if (kill.kind === 'systemd-oomd') {
          if (typeof kill.systemdUnit === 'string')
            expect(text).toContain(`${kill.systemdUnit} (systemd-oomd)`);
          continue;
        }
        expect(text).toContain(`${kill.process} (pid ${kill.pid})`);
      }
      expect(text).toContain('diagnostics collected');
      // The sample's memory facts (24 GiB, no swap), from the captured collect-diagnostics output.
      // The captured diagnostics' time (collectedAt=2026-11-25T18:28:16Z); another boot or kernel is said there.
      expect(text).toMatch(
        /\*Memory at diagnosis \(18:28:16(?:; (?:a later boot|another kernel): not about this kill)?\):\* total 24 GiB · available 22 GiB \(92%\) · swap none/,
      );
    },
  );

  it('reports each stage on stderr with its time, then the summary; stdout holds only the payload', async () => {
    const result = await runMain(['replay', BERLIN]);

    expect(result.code).toBe(0);
    const [stages, summaryText] = result.stderr.trimEnd().split('\nReplayed ');
    const summary = [`Replayed ${summaryText}`];
    expect(stages?.split('\n')).toEqual([
      expect.stringMatching(/^✓ detect {6}1 kill in 1 incident, from 78 lines in 1 stream \([\d.]+ ms\)$/),
      expect.stringMatching(/^✓ diagnostics \[1\/1\] collected from the captured sample .*\([\d.]+ ms\)$/),
      expect.stringMatching(
        /^✓ analyze {5}\[1\/1\] likely cause cgroup-limit \(\d+%\); plan: nothing \([\d.]+ ms\)$/,
      ),
      expect.stringMatching(/^✓ remediate {3}\[1\/1\] nothing to run: the policy enables no remediation/),
      expect.stringMatching(
        /^✓ notify {6}\[1\/1\] Slack message printed \(no --slack-webhook\); SNS: kept locally, not published \([\d.]+ ms\)$/,
      ),
    ]);
    const [payload, ...rest] = result.stdout.trimEnd().split('\n');
    expect(JSON.parse(payload ?? '')).toHaveProperty('blocks');
    expect(rest).toEqual([]);
    expect(summary.join('\n')).toMatch(
      /^Replayed captured-6\.18-rsyslog-imkmsg-rfc3164-berlin\.log: 1 kill in 1 incident\. Diagnostics: a captured sample/,
    );
    expect(summary.join('\n')).toContain('  killed       python3 (pid 3920), RSS 45 MiB in /process_api/');
    expect(summary.join('\n')).toContain('  message      Slack: printed above (no --slack-webhook given)');
  });

  it('groups kills as the detector does: one incident per host within the cooldown, later kills join it', async () => {
    const log = file(
      'cooldown.log',
      `${[
        ...berlinReport('Nov 25 10:00:00', 5001),
        ...berlinReport('Nov 25 10:05:00', 5002),
        ...berlinReport('Nov 25 10:30:00', 5003),
      ].join('\n')}\n`,
    );

    const result = await runMain(['replay', log]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/detect +3 kills in 2 incidents \(1 kill joined an open incident\)/);
    const [first, second, ...rest] = payloads(result.stdout).map(decoded);
    expect(rest).toEqual([]);
    expect(first).toContain('python3 (pid 5001, 45 MiB, the largest) + 1 more kill on vm (sample-1)');
    expect(first).toContain('python3 (pid 5002)');
    expect(second).toContain('python3 (pid 5003) on vm (sample-1)');
    // The first incident is no kill of the second: it is linked as the instance's earlier incident, by its id.
    expect(second).not.toMatch(/kills? (?:of python3 )?in (?:this incident|\d+ min)/);
    expect(second).toContain('Earlier incidents on this instance (24 h)');
    expect(second).toMatch(/oom-\d{8}T\d{6}-[0-9a-f]{16}: python3 \(pid 5001\) \+ 1 more kill, /);
  });

  it('replays a saved subscription payload as delivered: the instance from its stream, duplicates dropped', async () => {
    const event = encodeSubscriptionEvent({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: '/ec2/kernel',
      logStream: 'i-0abc1234def567890',
      subscriptionFilters: ['oom'],
      logEvents: berlinReport('Nov 25 17:30:50', 3920).map((message, i) => ({
        id: `37516444594218164406966592290412038135079041373000990${String(i).padStart(3, '0')}`,
        timestamp: Date.UTC(2026, 10, 25, 17, 30, 50) + i,
        message,
      })),
    });
    // Delivered twice, as CloudWatch Logs may: the second delivery is recognised and dropped.
    const payload = file('event.json', `${JSON.stringify(event)}\n${JSON.stringify(event)}\n`);

    const result = await runMain(['replay', payload]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/detect +2 kills in 1 incident \(1 duplicate dropped\)/);
    const [message, ...rest] = payloads(result.stdout).map(decoded);
    expect(rest).toEqual([]);
    expect(message).toContain('OOM kill (unconfirmed): python3 (pid 3920) on vm (i-0abc1234def567890)');
    expect(message).toMatch(
      /\*Killed:\* python3 \(pid 3920\): RSS 45 MiB \(anon [\d.]+ MiB, file 6\.6 MiB, shmem [^;]+; charged to the cgroup: 39 MiB\)/,
    );
  });

  it('replays `aws logs get-log-events` output, one stream per stream it names', async () => {
    const lines = berlinReport('Nov 25 17:30:50', 3920);
    const events = lines.map((message, i) => ({
      timestamp: 1_795_627_850_000 + i,
      message,
      ingestionTime: 0,
    }));
    const path = file('events.json', JSON.stringify({ events, nextForwardToken: 'f/1' }, null, 2));

    const result = await runMain(['replay', path]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/detect +1 kill in 1 incident, from 78 lines in 1 stream/);
    expect(decoded(payloads(result.stdout)[0])).toContain('python3 (pid 3920)');
  });

  it('prints the messages laid out for a terminal with --pretty', async () => {
    const result = await runMain(['replay', '--pretty', BERLIN]);

    expect(result.code).toBe(0);
    expect(payloads(result.stdout)).toEqual([]);
    expect(result.stdout).toContain('⚠️ [SAMPLE] OOM kill (unconfirmed): python3 (pid 3920) on vm (sample-1)');
    expect(result.stdout).toContain(
      "⚠️ Built from a captured sample of another host's diagnostics: the processes, memory and state below are not this host's.",
    );
    expect(result.stdout).toMatch(/^• Killed: python3 \(pid 3920\): RSS 45 MiB \(anon /m);
    expect(result.stdout).toMatch(/Memory at diagnosis \(18:28:16[^)]*\): total 24 GiB/);
  });
});

describe('the bundled samples', () => {
  it.each([
    [
      'samples/diagnostics/collect-diagnostics-debian12-cgroup-v1.stdout',
      'test/fixtures/diagnostics/collect-diagnostics-debian12-cgroup-v1.stdout',
    ],
    [
      'samples/diagnostics/collect-diagnostics-debian12-pressure.stdout',
      'test/fixtures/diagnostics/collect-diagnostics-debian12-pressure.stdout',
    ],
    [
      'samples/kernel/captured-6.18-dev-kmsg.log',
      'test/fixtures/kernel/transports/captured-6.18-dev-kmsg.log',
    ],
  ])('%s is the fixture it was copied from, byte for byte', (sample, fixture) => {
    const root = new URL('../../', import.meta.url);
    expect(readFileSync(new URL(sample, root)).equals(readFileSync(new URL(fixture, root)))).toBe(true);
  });
});

describe('replay dates a kill only by what the log tells', () => {
  /** The "Killed at" field of a replay's Slack payload. */
  const killedAt = (stdout: string): string => {
    const message = JSON.parse(stdout.trimEnd().split('\n')[0] ?? '{}') as SlackMessage;
    return /\*Killed at\*\\n([^"]*)/.exec(JSON.stringify(message))?.[1] ?? '';
  };

  it("gives another host's dmesg kill its seconds after boot, never the replay's clock", async () => {
    const path = `${KERNEL_CORPUS}transports/captured-6.18-dmesg.log`;
    const line =
      readFileSync(path, 'utf8')
        .split('\n')
        .find((l) => l.includes('Killed process')) ?? '';
    const stamp = Number(/^\[\s*(\d+\.\d+)\]/.exec(line)?.[1]);
    const result = await runMain(['replay', path]);
    expect(result.code).toBe(0);
    expect(killedAt(result.stdout)).toBe(`${stamp.toFixed(1)} s after boot`);
    expect(result.stderr).toContain(`at ${stamp.toFixed(1)} s after boot`);
  });

  it('keeps the wall-clock time a syslog line prints', async () => {
    const path = `${KERNEL_CORPUS}legacy/rhel6-2.6.32-642-global-java-full-syslog.log`;
    const line =
      readFileSync(path, 'utf8')
        .split('\n')
        .find((l) => l.includes('Killed process')) ?? '';
    const printed = /^([A-Z][a-z]{2}) +(\d+) (\d\d:\d\d:\d\d)/.exec(line);
    expect(printed).not.toBeNull();
    const result = await runMain(['replay', '--year', '2026', path]);
    expect(result.code).toBe(0);
    expect(killedAt(result.stdout)).toContain(printed?.[3] ?? '?');
    expect(killedAt(result.stdout)).not.toMatch(/after boot/);
  });
});
