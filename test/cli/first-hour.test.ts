import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { causeContainedOom, containedOomSupport } from '../../cli/local/contained-oom';
import { main } from '../../cli/main';
import { KERNEL_CORPUS } from '../support/corpus';
import { CLI, runCli, runMain } from '../support/run-cli';

/** Issue 15, item 10: what a user meets in the first hour with the CLI. Each test reproduced a defect first. */

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('oom-responder --version', () => {
  it.each([['--version'], ['-V']])('%s prints the package version and exits 0', async (flag) => {
    const result = await runMain([flag]);
    expect(result).toEqual({ code: 0, stdout: `oom-responder ${PACKAGE_VERSION}\n`, stderr: '' });
  });
});

describe('a bad flag says how to get help', () => {
  it.each(['parse', 'preview', 'replay', 'demo'])('%s --bogus', async (command) => {
    const result = await runMain([command, '--bogus']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `oom-responder ${command}: unknown option '--bogus' (see oom-responder ${command} --help)\n`,
    });
  });

  it('a flag missing its value names the flag and the help', async () => {
    const result = await runMain(['parse', '--year']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "oom-responder parse: option '--year' needs a value (see oom-responder parse --help)\n",
    );
  });
});

describe('parse and preview on a terminal with no FILE say they read stdin', () => {
  const NOTICE = 'reading kernel log from stdin (Ctrl-D to end; see --help)';

  /** `main` with stdin a stream that ends at once, flagged a terminal or not. */
  async function withStdin(args: string[], isTTY: boolean): Promise<{ code: number; stderr: string }> {
    const stdin = Object.assign(Readable.from([]), { isTTY });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    stdout.resume();
    const code = await main(args, { stdout, stderr, stdin });
    return { code, stderr: err };
  }

  it.each([['parse'], ['preview'], ['parse', '-'], ['replay', '-']])(
    '%s %s on a terminal: the notice, once, first on stderr',
    async (...args) => {
      const result = await withStdin(args, true);
      expect(result.code).toBe(0);
      expect(result.stderr.split('\n')[0]).toBe(`oom-responder ${args[0]}: ${NOTICE}`);
      expect(result.stderr.split(NOTICE)).toHaveLength(2);
    },
  );

  it.each([['parse'], ['preview']])('%s from a pipe: no notice', async (command) => {
    const result = await withStdin([command], false);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain(NOTICE);
  });

  const script = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!script)(
    `on a real pseudo-terminal (script -qec), ended by Ctrl-D${script ? '' : ' (skipped: no script(1))'}`,
    () => {
      const run = spawnSync('script', ['-qec', `${process.execPath} ${CLI} parse`, '/dev/null'], {
        input: '\x04',
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status, run.stderr).toBe(0);
      // The terminal's line discipline turns \n into \r\n.
      expect(run.stdout).toBe(`oom-responder parse: ${NOTICE}\r\n`);
    },
  );
});

describe('--policy file errors read like FILE errors; unknown keys list the valid ones', () => {
  const temp = mkdtempSync(join(tmpdir(), 'oomr-policy-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  const LOG = `${KERNEL_CORPUS}transports/captured-6.18-rsyslog-imklog-rfc3164.log`;

  it.each([
    ['a missing file', join(temp, 'missing.json'), 'no such file'],
    ['a directory', temp, 'is a directory'],
  ])('%s', async (_what, path, reason) => {
    const result = await runMain(['replay', '--policy', path, LOG]);
    const file = await runMain(['replay', path]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `oom-responder replay: cannot read --policy ${path}: ${reason}\n`,
    });
    // The same words as for a FILE argument.
    expect(file.stderr).toBe(`oom-responder replay: cannot read ${path}: ${reason}\n`);
  });

  it('names each unknown key with the keys valid where it stands, and the likely one', async () => {
    const path = join(temp, 'typos.json');
    writeFileSync(path, JSON.stringify({ addswap: { enabled: true }, restartService: { enable: true } }));
    const result = await runMain(['replay', '--policy', path, LOG]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `oom-responder replay: invalid policy in ${path}: ` +
        "restartService: unknown key 'enable' (did you mean 'enabled'? valid here: enabled, dryRun, allowedUnits, maxPerInstancePerHour); " +
        "unknown key 'addswap' (did you mean 'addSwap'? valid here: addSwap, restartService)\n",
    );
  });
});

describe('without --pretty (demo: with --json), stdout is JSON only', () => {
  const LOG = `${KERNEL_CORPUS}transports/captured-6.18-rsyslog-imklog-rfc3164.log`;
  const jsonLines = (stdout: string): unknown[] =>
    stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown);

  it.each([
    ['replay', 'FILE', ['replay', LOG]],
    ['demo --sample --json', '', ['demo', '--sample', '--json']],
  ])('%s %s: every stdout line is a Slack payload; the summary is on stderr', async (_name, _file, args) => {
    const result = await runMain(args);
    expect(result.code, result.stderr).toBe(0);
    const payloads = jsonLines(result.stdout);
    expect(payloads).toHaveLength(1);
    expect(payloads[0]).toHaveProperty('blocks');
    expect(result.stderr).toMatch(/^Replayed .*: 1 kill in 1 incident\./m);
    expect(result.stderr).toContain('  message      Slack: printed above (no --slack-webhook given)');
  });

  it('replay --pretty keeps the summary on stdout, after the message', async () => {
    const result = await runMain(['replay', '--pretty', LOG]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Replayed .*: 1 kill in 1 incident\./m);
    expect(result.stderr).not.toContain('Replayed');
  });
});

describe('replay with a webhook it cannot reach: fails fast, and never says SNS did', () => {
  const LOG = `${KERNEL_CORPUS}transports/captured-6.18-rsyslog-imklog-rfc3164.log`;

  /** A loopback port nothing listens on: connecting is refused at once, as for a host that is offline. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  it('a refused connection ends the notify stage in well under the retry backoff, and says why', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/services/T000/B000/secretsecret`;
    const started = performance.now();
    const result = await runMain(['replay', '--slack-webhook', url, LOG]);
    const ms = performance.now() - started;

    expect(result.code).toBe(1);
    // Four attempts with backoff took 7 s (1 + 2 + 4); one attempt is a few milliseconds on loopback.
    expect(ms).toBeLessThan(3000);
    expect(result.stderr).toMatch(
      /^✗ notify +\[1\/1\] Slack FAILED: could not connect to the webhook \(ECONNREFUSED\): nothing was posted; SNS: kept locally, not published \(\d+ ms\)$/m,
    );
    expect(result.stderr).toContain(
      'Slack: NOT delivered (could not connect to the webhook (ECONNREFUSED): nothing was posted); SNS: kept locally, not published',
    );
    expect(result.stderr).not.toContain('SNS did');
    expect(result.stderr).not.toContain('NotificationIncompleteError');
    expect(`${result.stdout}${result.stderr}`).not.toContain('secretsecret');
  });
});

/**
 * A restart-service dry run where systemd is not PID 1 (containers, this CI host). The kill must be this host's,
 * so its own kernel log confirms it and the plan runs: a real contained OOM, with its memory cgroup path said to
 * be a service's (the plan needs a unit; the confirmation matches the victim's pid and name).
 */
const oomSupport = containedOomSupport();
const NO_SYSTEMD_SKIP = !oomSupport.supported
  ? `no contained OOM kill here (${oomSupport.reason})`
  : existsSync('/run/systemd/system')
    ? 'systemd runs this host'
    : null;

describe.skipIf(NO_SYSTEMD_SKIP !== null)(
  `replay --host-exec: a restart-service dry run on a host without systemd${NO_SYSTEMD_SKIP ? ` (skipped: ${NO_SYSTEMD_SKIP})` : ''}`,
  () => {
    const temp = mkdtempSync(join(tmpdir(), 'oomr-nosystemd-'));
    afterAll(() => rmSync(temp, { recursive: true, force: true }));

    it('is reported as a dry run that a real run could not do, not as a failure (exit 0)', async () => {
      const oom = await causeContainedOom({ comm: 'oomr-nosysd', limitMiB: 64 });
      const own = oom.cgroupPath.replace(/^\/sys\/fs\/cgroup(?:\/memory)?/, '');
      const unit = 'oomr-nosysd.service';
      const records = oom.kernelRecords.map((line) => line.split(own).join(`/system.slice/${unit}`));
      // The kernel named the cgroup in its report: the rewrite is what makes the kill a unit's.
      expect(records.join('\n')).toContain(`/system.slice/${unit}`);
      const log = join(temp, 'kmsg.log');
      writeFileSync(log, `${records.join('\n')}\n`);
      const policy = join(temp, 'policy.json');
      writeFileSync(policy, JSON.stringify({ restartService: { enabled: true, allowedUnits: [unit] } }));

      const result = await runCli(['replay', '--host-exec', '--policy', policy, '--pretty', log]);

      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(
        new RegExp(
          `^✓ remediate +\\[1/1\\] restart-service: dry-run, exit 0: dry run: would restart ${unit}, but a real run would fail now: systemd did not answer`,
          'm',
        ),
      );
      expect(result.stderr).not.toContain('stage(s) failed');
      expect(result.stdout).toMatch(/\[dry run\] Restart service: dry run: would restart/);
      expect(result.stdout).not.toContain('[FAILED]');
    });
  },
);
