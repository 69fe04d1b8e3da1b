import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADD_SWAP_EXIT_STATUSES } from '../../../functions/core/ssm/exit-statuses';
import { parseScriptResult } from '../../../functions/core/ssm/script-result';
import { scriptPath } from '../../../lib/ssm/script-source';
import {
  makeTemp,
  readableCopy,
  removeTemp,
  resultLine,
  run,
  runScript,
  type ScriptRun,
  stubBin,
} from './support/run-script';

const isRoot = process.getuid?.() === 0;
/** Swap files need ext4 or XFS; the temp directory must be on one for the real runs. */
const tmpFs = execFileSync('stat', ['-f', '-c', '%T', tmpdir()], { encoding: 'utf8' }).trim();
const realSwapReason = !isRoot
  ? 'not running as root'
  : ['ext2/ext3', 'ext4', 'xfs'].includes(tmpFs)
    ? ''
    : `${tmpdir()} is on ${tmpFs}, not ext4 or XFS`;
const activeSwaps = () => readFileSync('/proc/swaps', 'utf8');
/** The real runs refuse (rightly) when this host already has swap on: then they cannot show the happy path. */
const hostSwapReason =
  activeSwaps().trim().split('\n').length > 1 ? 'swap is already active on this host' : '';
const realRunReason = realSwapReason || hostSwapReason;
const SWAPON_REFUSED = 'this environment refuses swapon (the refusal itself is asserted by the first run)';

/** The exit status and the result line agree with each other and with the documented table. */
function expectOutcome(run: ScriptRun, code: number, result: string, reason: string): void {
  expect(run.code, run.stdout + run.stderr).toBe(code);
  const parsed = parseScriptResult(run.stdout);
  expect(parsed?.status).toBe(result);
  expect(parsed?.reason ?? 'none').toBe(reason);
  expect(ADD_SWAP_EXIT_STATUSES[code]?.reasons).toContain(reason);
  // Exactly one human line says why, right before the result line.
  expect(parsed?.message).toBeTruthy();
}

describe('add-swap refuses', () => {
  let dir: string;
  let bin: string;
  let fstab: string;
  const original = '# test fstab\n/dev/vda / ext4 defaults 0 1\n';
  // No swap active, whatever this host has: these tests are about the other guards.
  const noSwap = () => ({ STUB_SWAPON_SHOW: '' });
  const parameters = (over: Record<string, string> = {}) => ({
    SSM_sizeMiB: '64',
    SSM_path: join(dir, 'swapfile'),
    SSM_maxDiskSharePercent: '25',
    SSM_dryRun: 'false',
    OOM_RESPONDER_FSTAB: fstab,
    OOM_RESPONDER_KUBELET_CONFIG: join(dir, 'no-kubelet-config.yaml'),
    ...noSwap(),
    ...over,
  });

  beforeAll(() => {
    dir = makeTemp('add-swap');
    bin = stubBin(['swapon']);
    fstab = join(dir, 'fstab');
    writeFileSync(fstab, original);
  });
  afterAll(() => {
    removeTemp(dir);
    removeTemp(bin);
  });

  const unchanged = () => {
    expect(readFileSync(fstab, 'utf8')).toBe(original);
    expect(existsSync(join(dir, 'swapfile'))).toBe(false);
  };

  it('a drill, dry run or not, before anything else is looked at', async () => {
    for (const dryRun of ['false', 'true']) {
      // Another swap is active too: the drill's refusal comes first, so the host is not even inspected.
      const result = await runScript(
        'add-swap',
        parameters({ SSM_drill: 'true', SSM_dryRun: dryRun, STUB_SWAPON_SHOW: '/dev/xvdb' }),
        { pathFirst: [bin] },
      );
      expectOutcome(result, 11, 'refused', 'drill');
      expect(result.stdout).toContain('add-swap: refused: a drill never changes a host');
      unchanged();
    }
  });

  it('a drill flag that is neither true nor false, as an invalid parameter', async () => {
    const result = await runScript('add-swap', parameters({ SSM_drill: 'yes' }), { pathFirst: [bin] });
    expectOutcome(result, 2, 'refused', 'invalid-parameter');
    expect(result.stdout).toContain('parameter drill does not match');
    unchanged();
  });

  it('when another swap area is already active', async () => {
    const result = await runScript('add-swap', parameters({ STUB_SWAPON_SHOW: '/dev/xvdb' }), {
      pathFirst: [bin],
    });
    expectOutcome(result, 3, 'refused', 'swap-active');
    expect(result.stdout).toContain('add-swap: refused: swap is already active (/dev/xvdb)');
    unchanged();
  });

  it('on a Kubernetes node, known by its kubelet config file', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'kind: KubeletConfiguration\n');
    const result = await runScript('add-swap', parameters({ OOM_RESPONDER_KUBELET_CONFIG: config }), {
      pathFirst: [bin],
    });
    expectOutcome(result, 5, 'refused', 'kubernetes-node');
    unchanged();
  });

  it('on a Kubernetes node, known by a running kubelet', async () => {
    const kubeletDir = makeTemp('kubelet');
    // The kernel names a process after the file it executed: a `kubelet` link to sleep is a kubelet to /proc.
    symlinkSync('/bin/sleep', join(kubeletDir, 'kubelet'));
    const kubelet: ChildProcess = spawn(join(kubeletDir, 'kubelet'), ['30'], { stdio: 'ignore' });
    try {
      const result = await runScript('add-swap', parameters(), { pathFirst: [bin] });
      expectOutcome(result, 5, 'refused', 'kubernetes-node');
      unchanged();
    } finally {
      kubelet.kill('SIGKILL');
      removeTemp(kubeletDir);
    }
  });

  it('when the file would take more than its share of the free space (stub df)', async () => {
    const withDf = stubBin(['swapon', 'df']);
    try {
      const result = await runScript('add-swap', parameters({ STUB_DF_AVAILABLE_KB: '100000' }), {
        pathFirst: [withDf],
      });
      expectOutcome(result, 4, 'refused', 'disk-headroom');
      expect(result.stdout).toContain('64 MiB is more than 25% of the 97 MiB free');
      unchanged();
    } finally {
      removeTemp(withDf);
    }
  });

  it('when the file would take more than its share of this host’s real free space', async () => {
    const result = await runScript(
      'add-swap',
      parameters({ SSM_sizeMiB: '65536', SSM_maxDiskSharePercent: '1' }),
      {
        pathFirst: [bin],
      },
    );
    expectOutcome(result, 4, 'refused', 'disk-headroom');
    unchanged();
  });

  it.skipIf(
    !existsSync('/dev/shm') ||
      execFileSync('stat', ['-f', '-c', '%T', '/dev/shm']).toString().trim() !== 'tmpfs',
  )('on tmpfs, where a swap file would swap to RAM', async () => {
    const result = await runScript(
      'add-swap',
      parameters({ SSM_path: `/dev/shm/oomr-swap-${process.pid}` }),
      {
        pathFirst: [bin],
      },
    );
    expectOutcome(result, 6, 'refused', 'unsupported-filesystem');
    expect(result.stdout).toContain('is on tmpfs');
    expect(existsSync(`/dev/shm/oomr-swap-${process.pid}`)).toBe(false);
  });

  it('to overwrite an existing file that is not its swap file', async () => {
    const taken = join(dir, 'taken');
    writeFileSync(taken, 'precious data\n');
    const result = await runScript('add-swap', parameters({ SSM_path: taken }), { pathFirst: [bin] });
    expectOutcome(result, 7, 'refused', 'path-exists');
    expect(readFileSync(taken, 'utf8')).toBe('precious data\n');
    expect(readFileSync(fstab, 'utf8')).toBe(original);
  });

  it('when the file’s directory does not exist', async () => {
    const result = await runScript('add-swap', parameters({ SSM_path: join(dir, 'missing', 'swapfile') }), {
      pathFirst: [bin],
    });
    expectOutcome(result, 7, 'refused', 'parent-missing');
    unchanged();
  });

  it.skipIf(!isRoot || !existsSync('/usr/bin/setpriv'))('to run as anyone but root', async () => {
    const env = { ...process.env, ...parameters(), PATH: `${bin}:${process.env.PATH}` };
    // From a copy that user can read: the checkout may sit in a directory only root can enter (a CI clone under
    // `mktemp -d`), and then bash, not the script, would refuse.
    const copy = readableCopy(scriptPath('add-swap'));
    try {
      const result = await run(
        ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'bash', copy.path],
        env,
      );
      expectOutcome(result, 8, 'refused', 'not-root');
    } finally {
      removeTemp(copy.dir);
    }
    unchanged();
  });

  it('invalid parameters, naming the parameter and not its value', async () => {
    for (const [name, value] of [
      ['SSM_sizeMiB', '63'],
      ['SSM_sizeMiB', '65537'],
      ['SSM_path', 'relative/swapfile'],
      ['SSM_path', '/tmp/../etc/swapfile'],
      ['SSM_maxDiskSharePercent', '91'],
      ['SSM_dryRun', 'yes'],
    ] as const) {
      const result = await runScript('add-swap', parameters({ [name]: value }), { pathFirst: [bin] });
      expectOutcome(result, 2, 'refused', 'invalid-parameter');
      expect(result.stdout).toContain(`parameter ${name.slice(4)} does not match`);
      expect(result.stdout).not.toContain(value);
    }
    unchanged();
  });

  it('nothing in a dry run that would refuse, with the same status as the real run', async () => {
    const result = await runScript(
      'add-swap',
      parameters({ SSM_dryRun: 'true', STUB_SWAPON_SHOW: '/dev/xvdb' }),
      {
        pathFirst: [bin],
      },
    );
    expectOutcome(result, 3, 'refused', 'swap-active');
  });
});

describe('add-swap when a step fails', () => {
  let dir: string;
  let fstab: string;
  const parameters = () => ({
    SSM_sizeMiB: '64',
    SSM_path: join(dir, 'swapfile'),
    SSM_maxDiskSharePercent: '25',
    SSM_dryRun: 'false',
    OOM_RESPONDER_FSTAB: fstab,
    OOM_RESPONDER_KUBELET_CONFIG: join(dir, 'no-kubelet-config.yaml'),
    STUB_SWAPON_SHOW: '',
  });

  beforeAll(() => {
    dir = makeTemp('add-swap-fail');
    fstab = join(dir, 'fstab');
  });
  afterAll(() => removeTemp(dir));

  it.skipIf(realSwapReason !== '')(
    `removes the file it wrote when swapon is refused, and leaves fstab alone${realSwapReason && ` (skipped: ${realSwapReason})`}`,
    async () => {
      writeFileSync(fstab, '');
      const bin = stubBin(['swapon']); // activation fails as in a sandbox that forbids swapon
      try {
        const result = await runScript('add-swap', parameters(), { pathFirst: [bin] });
        expectOutcome(result, 9, 'failed', 'swapon-failed');
        expect(result.stdout).toContain('failed: swapon');
        expect(existsSync(join(dir, 'swapfile'))).toBe(false);
        expect(readFileSync(fstab, 'utf8')).toBe('');
      } finally {
        removeTemp(bin);
      }
    },
  );

  it.skipIf(realSwapReason !== '')('removes the file it wrote when mkswap fails', async () => {
    writeFileSync(fstab, '');
    const bin = stubBin(['swapon', 'mkswap']);
    try {
      const result = await runScript('add-swap', parameters(), { pathFirst: [bin] });
      expectOutcome(result, 9, 'failed', 'mkswap-failed');
      expect(existsSync(join(dir, 'swapfile'))).toBe(false);
    } finally {
      removeTemp(bin);
    }
  });

  it.skipIf(realSwapReason !== '')(
    'fails verification when swapon --show does not list the file',
    async () => {
      writeFileSync(fstab, '');
      const bin = stubBin(['swapon']);
      try {
        const result = await runScript(
          'add-swap',
          { ...parameters(), STUB_SWAPON_ACTIVATE: 'ok' },
          { pathFirst: [bin] },
        );
        expectOutcome(result, 10, 'failed', 'verification-failed');
      } finally {
        removeTemp(bin);
      }
    },
  );
});

// Real dd, mkswap and swapon on a small file in the temp directory; fstab is a temp file too. Swap stays on for
// a few seconds and is always switched off and removed afterwards.
describe.skipIf(realRunReason !== '')(
  `add-swap for real on this host${realRunReason && ` (skipped: ${realRunReason})`}`,
  () => {
    let dir: string;
    let fstab: string;
    let swapfile: string;
    let swaponAllowed = true;
    const original = '/dev/vda / ext4 defaults 0 1'; // no final newline: the script must add one
    const parameters = (over: Record<string, string> = {}) => ({
      SSM_sizeMiB: '64',
      SSM_path: swapfile,
      SSM_maxDiskSharePercent: '25',
      SSM_dryRun: 'false',
      OOM_RESPONDER_FSTAB: fstab,
      OOM_RESPONDER_KUBELET_CONFIG: join(dir, 'no-kubelet-config.yaml'),
      ...over,
    });
    const fstabLines = () =>
      readFileSync(fstab, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith(swapfile));

    beforeAll(() => {
      dir = makeTemp('add-swap-real');
      fstab = join(dir, 'fstab');
      swapfile = join(dir, 'swapfile');
      writeFileSync(fstab, original);
    });
    afterAll(() => {
      if (activeSwaps().includes(swapfile)) execFileSync('swapoff', [swapfile]);
      removeTemp(dir);
    });

    it('changes nothing in a dry run', async () => {
      const result = await runScript('add-swap', parameters({ SSM_dryRun: 'true' }));
      expectOutcome(result, 0, 'dry-run', 'none');
      expect(result.stdout).toContain(`would run: dd if=/dev/zero of=${swapfile} bs=1M count=64`);
      expect(existsSync(swapfile)).toBe(false);
      expect(readFileSync(fstab, 'utf8')).toBe(original);
    });

    it('writes the file with dd, makes it swap, turns it on and adds one fstab line', async () => {
      const result = await runScript('add-swap', parameters());
      if (result.code === 9 && resultLine(result.stdout).reason === 'swapon-failed') {
        // This environment refuses swapon: the failure is clear and nothing is left behind.
        swaponAllowed = false;
        expect(existsSync(swapfile)).toBe(false);
        expect(readFileSync(fstab, 'utf8')).toBe(original);
        return;
      }
      expectOutcome(result, 0, 'done', 'none');
      expect(parseScriptResult(result.stdout)?.verification).toBe('swapon-show-lists-path');
      expect(activeSwaps()).toContain(swapfile);
      expect(statSync(swapfile).size).toBe(64 * 1024 * 1024);
      expect(statSync(swapfile).mode & 0o777).toBe(0o600);
      // Not sparse: every block was written.
      expect(statSync(swapfile).blocks * 512).toBeGreaterThanOrEqual(64 * 1024 * 1024);
      expect(readFileSync(fstab, 'utf8')).toBe(`${original}\n${swapfile} none swap defaults 0 0\n`);
    });

    it('does nothing the second time, and never duplicates the fstab line', async (ctx) => {
      ctx.skip(!swaponAllowed, SWAPON_REFUSED);
      const result = await runScript('add-swap', parameters());
      expectOutcome(result, 0, 'already-ok', 'already-active');
      const dry = await runScript('add-swap', parameters({ SSM_dryRun: 'true' }));
      expectOutcome(dry, 0, 'dry-run', 'already-active');
      expect(fstabLines()).toHaveLength(1);
    });

    it('reuses its own swap file once swapped off, without rewriting it', async (ctx) => {
      ctx.skip(!swaponAllowed, SWAPON_REFUSED);
      execFileSync('swapoff', [swapfile]);
      const before = statSync(swapfile).mtimeMs;
      const result = await runScript('add-swap', parameters());
      expectOutcome(result, 0, 'done', 'none');
      expect(result.stdout).toContain('reusing the existing 64 MiB swap file');
      expect(statSync(swapfile).mtimeMs).toBe(before);
      expect(activeSwaps()).toContain(swapfile);
      expect(fstabLines()).toHaveLength(1);
    });

    it('refuses a second, different swap file while its own is on', async (ctx) => {
      ctx.skip(!swaponAllowed, SWAPON_REFUSED);
      const other = join(dir, 'other-swapfile');
      const result = await runScript('add-swap', parameters({ SSM_path: other }));
      expectOutcome(result, 3, 'refused', 'swap-active');
      expect(existsSync(other)).toBe(false);
    });
  },
);
